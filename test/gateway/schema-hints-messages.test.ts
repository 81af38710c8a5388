import { buildSchema, getOperationAST, getVariableValues, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GENERIC, withoutHints, writtenNames } from '#gateway/stages/introspection/schema-hints.js';

/**
 * The rewrite rules of stages/introspection/schema-hints.ts, message by
 * message, for every graphql-js 16 template that can name the schema; the
 * production gateways that apply them are test/security/schema-hints.test.ts.
 */
describe('withoutHints, message by message', () => {
  const schema = buildSchema(`
    enum Color { RED GREEN BLUE }
    input ProductFilter { color: Color, minPrice: Int, name: String! }
    input Pick @oneOf { id: ID, upc: String }
    directive @tag(name: String!) on FIELD
    type Product { id: ID! name: String price(currency: Color!): Int related: [Product] }
    type Review { body: String }
    union Item = Product | Review
    type Query { product(id: ID!): Product products(filter: ProductFilter, first: Int): [Product] item: Item pick(by: Pick): Product }
  `);
  const hidden = (query: string, variables?: Record<string, unknown>) => {
    const document = parse(query);
    const errors = variables
      ? (getVariableValues(schema, getOperationAST(document)!.variableDefinitions ?? [], variables).errors ?? [])
      : validate(schema, document);
    return errors.map((error) => withoutHints(error.message, writtenNames(document)));
  };

  it.each([
    ['{ item { id } }', 'Cannot query field "id" here.'],
    ['{ product(id: 1) { name { x } } }', 'Field "name" must not have a selection since its type has no subfields.'],
    ['{ product(id: 1) { related } }', 'Field "related" must have a selection of subfields.'],
    ['{ product(id: 1) { id @tag } }', 'Directive "@tag" is missing a required argument.'],
    ['{ product(id: 1) { id @tag(name: "x", nam: "y") } }', 'Unknown argument "nam" on directive "@tag".'],
    ['{ product(id: 1) { id @tagg } }', 'Unknown directive "@tagg".'],
    ['{ pick(by: { id: 1, upc: "x" }) { id } }', 'The OneOf input object must specify exactly one key.'],
    ['query($c: Color) { product(id: 1) { price(currency: $c) } }', 'Variable "$c" of type "Color" used in position expecting type "Color!".'],
    ['query($n: Int) { product(id: $n) { id } }', 'Variable "$n" of type "Int" used in position expecting another type.'],
    ['{ product(id: null) { id } }', 'Expected a non-null value, found null.'],
    ['{ products(filter: 3) { id } }', 'Expected a value of another type, found 3.'],
    ['{ product(id: 1) { a: name a: price(currency: RED) } }', 'Fields "a" conflict because "name" and "price" are different fields. Use different aliases on the fields to fetch both if this was intentional.'],
    ['{ product(id: 1) { ...R } } fragment R on Review { body }', 'Fragment "R" cannot be spread here as the objects here can never be of type "Review".'],
    ['{ item { ... on Product { ...R } } } fragment R on Review { body }', 'Fragment "R" cannot be spread here as objects of type "Product" can never be of type "Review".'],
    ['{ ... on Review { body } }', 'Fragment cannot be spread here as the objects here can never be of type "Review".'],
    ['query($f: Product) { products(first: 1) { id } }', 'Variable "$f" cannot be non-input type "Product".'],
  ])('%s', (query, message) => {
    expect(hidden(query)).toContain(message);
  });

  it('keeps the types two conflicting fields return out of the reason', () => {
    const messages = hidden('{ item { ... on Product { x: name } ... on Review { x: body } } product(id: 1) { y: name y: id } }');
    expect(messages).toContain('Fields "y" conflict because "name" and "id" are different fields. Use different aliases on the fields to fetch both if this was intentional.');
    expect(hidden('{ product(id: 1) { related { a: name } related { a: id } } }')).toEqual([
      'Fields "related" conflict because subfields "a" conflict because "name" and "id" are different fields. Use different aliases on the fields to fetch both if this was intentional.',
    ]);
    const typed = buildSchema('type A { v: Int } type B { v: String } union U = A | B type Query { u: U }');
    const document = parse('{ u { ... on A { v } ... on B { v } } }');
    const [error] = validate(typed, document);
    expect(error!.message).toContain('conflicting types "Int" and "String"');
    expect(withoutHints(error!.message, writtenNames(document))).toBe(
      'Fields "v" conflict because they return conflicting types. Use different aliases on the fields to fetch both if this was intentional.',
    );
  });

  it('words variables’ errors without the schema’s types', () => {
    expect(hidden('query($f: ProductFilter) { products(filter: $f) { id } }', { f: { name: 'x', minPrice: 'cheap' } })).toEqual([
      'Variable "$f" got invalid value "cheap" at "f.minPrice"; Expected a value of another type, found "cheap".',
    ]);
    expect(hidden('query($f: ProductFilter) { products(filter: $f) { id } }', { f: 'x' })).toEqual(['Variable "$f" got invalid value "x"; Expected type "ProductFilter" to be an object.']);
    expect(hidden('query($n: Int) { products(first: $n) { id } }', { n: 'x' })).toEqual(['Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"']);
    expect(hidden('query($p: Pick) { pick(by: $p) { id } }', { p: { id: 1, upc: 'x' } })).toEqual([
      'Variable "$p" got invalid value { id: 1, upc: "x" }; Exactly one key must be specified for OneOf type "Pick".',
    ]);
    expect(hidden('query($v: [ProductFilter]) { products(filter: { name: "x" }) { id } }', { v: [{ name: null }] })).toContain(
      'Variable "$v" got invalid value null at "v[0].name"; Expected a non-null value.',
    );
  });

  it('keeps messages that quote only what the caller wrote, and replaces any other', () => {
    const written = writtenNames(parse('query Q($v: Int) { a b }'));
    expect(withoutHints('There can be only one operation named "Q".', written)).toBe('There can be only one operation named "Q".');
    expect(withoutHints('Variable "$v" is never used in operation "Q".', written)).toBe('Variable "$v" is never used in operation "Q".');
    expect(withoutHints('Some future message naming "Secret".', written)).toBe(GENERIC);
    expect(withoutHints('Some future message naming "a". Did you mean "Secret"?', written)).toBe('Some future message naming "a".');
    expect(withoutHints('Unbalanced "quote', written)).toBe(GENERIC);
    // A name written as a field is not a type the caller wrote: it confirms nothing.
    expect(withoutHints('Cannot query field "x" on type "Product".', writtenNames(parse('{ Product: x }')))).toBe('Cannot query field "x" here.');
  });
});
