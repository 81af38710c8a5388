import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createCostEstimator } from '#gateway/stages/cost/cost-estimator.js';
import { annotatedSupergraph, IMPORTED } from './annotated-supergraph.js';

/**
 * The actual cost, Apollo Router's "actual": the estimate's rules over the
 * answer's data, lists counted at their real length.
 */
const estimator = createCostEstimator(annotatedSupergraph(IMPORTED), { listSize: 100 });

function actual(query: string, data: unknown, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  return estimator.actual(document, getOperationAST(document)!, variables, data);
}

describe('the actual cost of an answer', () => {
  it('counts the lists that came back, not the sizes assumed (Router’s custom_cost_response: 125)', () => {
    const query = `
      fragment Items on BookPage { items { id } }
      { weighted withCostlyArgument(discount: 3) grade price(filter: { below: 10 }) money appraisal { id } tags page(first: 5) { ...Items } }`;
    const data = {
      weighted: 1,
      withCostlyArgument: 2,
      grade: 'NEW',
      price: 3,
      money: 4,
      appraisal: { id: '5' },
      tags: ['first', 'second', 'third'],
      page: { items: [{ id: '6' }, { id: '7' }, { id: '8' }] },
    };
    // 5 + 10 + 15 + 21 + 30 + 40 + 0 + (1 + 3): the estimate was 127.
    expect(actual(query, data)).toBe(125);
  });

  it('counts nested lists item by item, and nothing for null', () => {
    const data = { books: [{ author: { books: [{ id: '1' }, { id: '2' }] } }, { author: null }, null] };
    expect(actual('{ books { author { books { id } } } }', data)).toBe(1 + (1 + 2) + 1 + 0);
  });

  it('follows aliases, and counts a response key once however many fragments select it', () => {
    const query = '{ a: books { id } ...F ... on Query { a: books { id } } } fragment F on Query { a: books { id } }';
    expect(actual(query, { a: [{ id: '1' }, { id: '2' }] })).toBe(2);
  });

  it('leaves out skipped fields and fragments, and what the answer lacks', () => {
    const query = 'query Q($skip: Boolean!) { weighted @skip(if: $skip) ...F @include(if: false) book(id: "1") { id } } fragment F on Query { money }';
    expect(actual(query, { weighted: 1, money: 2 }, { skip: true })).toBe(0);
    expect(actual(query, { weighted: 1, money: 2 }, { skip: false })).toBe(5);
  });

  it('counts an abstract type’s objects at its weight, with the fragments their __typename selects', () => {
    const query = '{ found { __typename ... on Book { author { id } } ... on Record { id } } }';
    const data = { found: [{ __typename: 'Book', author: { id: '1' } }, { __typename: 'Record', id: '2' }] };
    // Each member costs the union's weight (5, the highest of its members'); the book's author 1 more.
    expect(actual(query, data)).toBe(5 + 1 + 5);
  });

  it('is 0 for an answer without data', () => {
    expect(actual('{ books { id } }', null)).toBe(0);
    expect(actual('{ books { id } }', undefined)).toBe(0);
  });

  it('starts nothing at 10 for a mutation: it counts what came back', () => {
    expect(actual('mutation { restock(id: "1") { id } }', { restock: { id: '1' } })).toBe(1);
  });
});
