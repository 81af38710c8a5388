import { readFileSync } from 'node:fs';
import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createCostEstimator } from '#gateway/stages/cost/cost-estimator.js';
import { BENCHMARK_QUERY } from '../../../bench/data.js';
import { annotatedSupergraph, FEDERATION_NAMES, IMPORTED, RENAMED, UNIMPORTED } from './annotated-supergraph.js';

/**
 * Estimates worked out by hand, with Apollo Router's rules and its tests'
 * list size of 100: a field costs its `@cost` and its arguments' once, and per
 * instance its type's weight (objects 1, leaves 0) and its selections'.
 */
const estimator = createCostEstimator(annotatedSupergraph(IMPORTED), { listSize: 100 });

function estimate(query: string, variables: Record<string, unknown> = {}, on = estimator) {
  const document = parse(query);
  const result = on.estimate(document, getOperationAST(document)!, variables);
  return result.ok ? result.cost : result;
}

// Router's custom_cost_query: 5 + 10 + 15 + (1 + 20) + 30 + 40 + 2000 * 0 + (1 + 5 * 1).
const CUSTOM = `
  fragment Items on BookPage { items { id } }
  {
    weighted
    withCostlyArgument(discount: 3)
    grade
    price(filter: { below: 10 })
    money
    appraisal { id }
    tags
    page(first: 5) { ...Items }
  }`;

describe('weights from @cost', () => {
  it.each([
    ['imported', IMPORTED],
    ['renamed with `as`', RENAMED],
    ['linked without imports (@cost, @cost__listSize)', UNIMPORTED],
    ['renamed by composition (@federation__cost)', FEDERATION_NAMES],
  ])('are read under the names the supergraph links them as: %s', (_, names) => {
    expect(estimate(CUSTOM, {}, createCostEstimator(annotatedSupergraph(names), { listSize: 100 }))).toBe(127);
  });

  it.each([
    ['a field: once, per call', '{ weighted }', 5],
    ['an argument given', '{ withCostlyArgument(discount: 3) }', 10],
    ['an argument left out', '{ withCostlyArgument }', 0],
    ['an argument given null', '{ withCostlyArgument(discount: null) }', 0],
    ['an enum type, per instance', '{ grade }', 15],
    ['a scalar type', '{ money }', 30],
    ['an object type, instead of 1', '{ appraisal { id } }', 40],
    ['an input object (1) and its costed field', '{ price(filter: { below: 10, currency: "EUR" }) }', 21],
    ['an input object without the costed field', '{ price(filter: { currency: "EUR" }) }', 1],
    ['an interface: the highest of its implementations', '{ items { id } }', 3 * 5],
    ['a union: the highest of its members', '{ found { ... on Book { id } } }', 4 * 5],
  ])('%s', (_, query, cost) => {
    expect(estimate(query)).toBe(cost);
  });

  it('the arguments of variables count as the values they hold', () => {
    const query = 'query Q($filter: PriceFilter, $discount: Int) { price(filter: $filter) withCostlyArgument(discount: $discount) }';
    expect(estimate(query, { filter: { below: 10 }, discount: 1 })).toBe(21 + 10);
    expect(estimate(query, { filter: null })).toBe(0);
  });
});

describe('default costs', () => {
  it.each([
    ['scalars are free', '{ book(id: "1") { id title weight } }', 1],
    ['each object costs 1', '{ book(id: "1") { author { id } } }', 2],
    ['an unannotated list is COST_LIST_SIZE long', '{ books { id } }', 100],
    ['a list of scalars is free', '{ tags }', 0],
    ['nested lists multiply', '{ books { author { books { id } } } }', 100 * (1 + 1 + 100)],
    ['a mutation starts at 10', 'mutation { restock(id: "1", units: 3) { id } }', 10 + 1],
    ['__typename is free', '{ __typename book(id: "1") { __typename } }', 1],
    ['introspection is the introspection stage’s', '{ __schema { types { name fields { name } } } }', 0],
    ['a field the schema lacks adds nothing (validation refuses it)', '{ nothing { here } }', 0],
    ['@requires adds what it requires', '{ book(id: "1") { shipping } }', 1 + 0 + 1],
  ])('%s', (_, query, cost) => {
    expect(estimate(query)).toBe(cost);
  });

  it('COST_LIST_SIZE sets the size of lists @listSize says nothing about', () => {
    const small = createCostEstimator(annotatedSupergraph(IMPORTED), { listSize: 5 });
    expect(estimate('{ books { author { books { id } } } }', {}, small)).toBe(5 * (1 + 1 + 5));
    expect(estimate('{ newest { id } }', {}, small)).toBe(10);
  });
});

describe('list sizes from @listSize', () => {
  it.each([
    ['assumedSize', '{ items { id } }', 3 * 5],
    ['a slicing argument given', '{ newest(first: 3) { id } }', 3],
    ['its default in the schema', '{ newest { id } }', 10],
    ['the largest of several', '{ loose(first: 3, last: 8) { id } }', 8],
    ['assumedSize when none is given', '{ loose { id } }', 50],
    ['a list argument: its length', '{ byIds(ids: ["1", "2", "3"]) { id } }', 3],
    ['a path into an input object', '{ search(input: { page: { first: 7 }, text: "dune" }) { id } }', 7 + 2],
    ['assumedSize when the path leads nowhere', '{ search(input: { text: "dune" }) { id } }', 25 + 1],
    ['sizedFields: the connection’s items take its size', '{ page(first: 5) { items { id } total } }', 1 + 5],
    ['sizedFields through a fragment', '{ page(first: 4) { ... on BookPage { items { id } } } }', 1 + 4],
    ['sizedFields with the default', '{ page { items { id } } }', 1 + 10],
  ])('%s', (_, query, cost) => {
    expect(estimate(query)).toBe(cost);
  });

  it('from variables: a number, a list, a path, or the variable’s own default', () => {
    expect(estimate('query Q($n: Int) { newest(first: $n) { id } }', { n: 7 })).toBe(7);
    expect(estimate('query Q($n: Int = 6) { newest(first: $n) { id } }')).toBe(6);
    expect(estimate('query Q($ids: [ID!]!) { byIds(ids: $ids) { id } }', { ids: ['a', 'b', 'c', 'd', 'e'] })).toBe(5);
    expect(estimate('query Q($input: Search) { search(input: $input) { id } }', { input: { page: { first: 12 } } })).toBe(12 + 2);
    expect(estimate('query Q($n: Int) { page(first: $n) { items { id } } }', { n: 5 })).toBe(1 + 5);
  });

  it('never below zero: a negative size counts as none', () => {
    expect(estimate('query Q($n: Int) { newest(first: $n) { id } weighted }', { n: -1_000_000 })).toBe(5);
    expect(estimate('{ page(first: -5) { items { id } } }')).toBe(1);
  });

  it('never NaN: a size past any number is bounded', () => {
    const huge = '9'.repeat(400);
    expect(estimate(`{ tags: loose(first: ${huge}) { id } weighted }`)).toBe(Number.MAX_SAFE_INTEGER + 5);
    expect(estimate(`{ byIds(ids: []) { id } loose(first: ${huge}) { __typename } }`)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('requireOneSlicingArgument: exactly one slicing argument, or a coded refusal', () => {
    expect(estimate('{ window(first: 7) { id } }')).toBe(7);
    expect(estimate('{ window(first: 3, last: 4) { id } }')).toEqual({
      ok: false,
      code: 'COST_INVALID_SLICING_ARGUMENTS',
      message: 'Field "window" takes exactly one of its slicing arguments (first, last), but 2 were given.',
      variables: [],
    });
    expect(estimate('query Q($n: Int) { window(first: $n) { id } }', {})).toMatchObject({
      ok: false,
      message: 'Field "window" takes exactly one of its slicing arguments (first, last), but 0 were given.',
    });
    // A slicing argument's schema default counts as given.
    expect(estimate('{ newest { id } }')).toBe(10);
  });
});

describe('@skip, @include and fragments', () => {
  const query = `query Q($skip: Boolean!, $with: Boolean = true) {
    books @skip(if: $skip) { id }
    weighted @include(if: $with)
    ...Newest @include(if: false)
    ... on Query @skip(if: true) { items { id } }
    ... on Query { newest(first: 2) { id } }
  }
  fragment Newest on Query { newest(first: 9) { id } }`;

  it('leave out what they skip, with the request’s variables', () => {
    expect(estimate(query, { skip: true })).toBe(5 + 2);
    expect(estimate(query, { skip: false, with: false })).toBe(100 + 2);
  });

  it('count a condition that cannot be decided: an upper bound', () => {
    expect(estimate(query, {})).toBe(100 + 5 + 2);
  });

  it('say which variables the estimate read, for the stage to key it on', () => {
    const document = parse('query Q($skip: Boolean!, $id: ID!, $n: Int) { book(id: $id) { id } books @skip(if: $skip) { id } newest(first: $n) { id } }');
    expect(estimator.estimate(document, getOperationAST(document)!, { skip: true, id: '7', n: 3 })).toEqual({ ok: true, cost: 1 + 3, variables: ['skip', 'n'] });
  });

  it('spread fragments as many times as they are spread', () => {
    expect(estimate('{ ...F ...F b: book(id: "2") { ...G } } fragment F on Query { newest(first: 2) { ...G } } fragment G on Book { author { id } }')).toBe(
      2 * (2 * (1 + 1)) + (1 + 1),
    );
  });
});

describe('Junction’s own supergraph', () => {
  const ours = createCostEstimator(readFileSync('supergraph.graphql', 'utf8'), { listSize: 10 });

  it('prices the benchmark query under MAX_COST’s default (50,000)', () => {
    // users: 10 * (1 + 10 * (1 + product 1 + 10 * (1 + author 1 + 10 * (1 + 1)))); topProducts: 5 * (1 + 10 * (1 + 1 + 10 * 2)).
    expect(estimate(BENCHMARK_QUERY, {}, ours)).toBe(22_210 + 1_105);
  });

  it('sizes lists by `first`, a page of products by its `first` too', () => {
    expect(estimate('{ users(first: 100) { reviews(first: 100) { product { reviews(first: 100) { id } } } } }', {}, ours)).toBe(
      100 * (1 + 100 * (1 + 1 + 100)),
    );
    expect(estimate('{ products(first: 50) { edges { node { upc } } pageInfo { hasNextPage } } }', {}, ours)).toBe(1 + 50 * 2 + 1);
  });
});
