import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootAnswer, startScriptedSupergraph, type ScriptedSupergraph } from '../../fixtures/scripted-subgraphs.js';

/**
 * Leaf values completed as the spec completes them against the API schema,
 * whatever a subgraph sends: built-in scalars through graphql-js's
 * serialization, enum values only when the API schema has them, custom
 * scalars as the JSON they are, and never a crash on a deep answer. What
 * cannot be completed is null, with an INVALID_GRAPHQL error at its path.
 */
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])';
const VALUES = `${LINK}
  scalar JSON
  enum Format { BOOK FILM SECRET @inaccessible }
  type Holder { required: String! optional: String }
  type Query {
    count: Int
    total: Int!
    ratio: Float
    flag: Boolean
    label: String
    ident: ID
    format: Format
    formats: [Format]
    json: JSON
    tags: [String]
    holder: Holder
    holders: [Holder!]
  }
`;

let supergraph: ScriptedSupergraph;
beforeAll(async () => {
  supergraph = await startScriptedSupergraph({ values: VALUES });
});
afterAll(() => supergraph.stop());

function answering(values: Record<string, unknown>) {
  supergraph.subgraphs.values!.script = rootAnswer(values);
}

const invalid = (path: (string | number)[], where: string) => ({
  message: `Invalid value found for ${where}.`,
  path,
  extensions: { code: 'INVALID_GRAPHQL' },
});

describe('built-in scalars', () => {
  it('are written as graphql-js serializes them, coercions included', async () => {
    answering({ count: '42', ratio: '1.5', flag: 1, label: 7, ident: 12 });
    const answer = await supergraph.viaJunction('{ count ratio flag label ident }');
    expect(answer).toEqual({ status: 200, data: '{"count":42,"ratio":1.5,"flag":true,"label":"7","ident":"12"}', errors: [] });
  });

  it('become null with an error at their path when graphql-js cannot serialize them', async () => {
    answering({ count: 2 ** 31, ratio: 'many', flag: 'yes', label: { text: 'a' }, ident: 1.5, tags: ['a', ['b'], 3] });
    const answer = await supergraph.viaJunction('{ count ratio flag label ident tags }');
    expect(answer.data).toBe('{"count":null,"ratio":null,"flag":null,"label":null,"ident":null,"tags":["a",null,"3"]}');
    expect(answer.errors).toEqual([
      invalid(['count'], 'field Query.count'),
      invalid(['ratio'], 'field Query.ratio'),
      invalid(['flag'], 'field Query.flag'),
      invalid(['label'], 'field Query.label'),
      invalid(['ident'], 'field Query.ident'),
      invalid(['tags', 1], 'array element of type String at index 1'),
    ]);
  });

  it('make the nearest nullable parent null when the position is non-null', async () => {
    answering({ total: 'lots', holder: { required: ['x'], optional: 'kept?' }, holders: [{ required: 'a' }, { required: {} }] });
    const answer = await supergraph.viaJunction('{ holder { optional required } holders { required } }');
    expect(answer.data).toBe('{"holder":null,"holders":null}');
    expect(answer.errors).toEqual([invalid(['holder', 'required'], 'field Holder.required'), invalid(['holders', 1, 'required'], 'field Holder.required')]);

    const root = await supergraph.viaJunction('{ total label }');
    expect(root.data).toBe('null');
    expect(root.errors).toEqual([invalid(['total'], 'field Query.total')]);
  });

  it('report a missing non-null value as the spec does, in errors', async () => {
    answering({ holder: { optional: 'x' } });
    const answer = await supergraph.viaJunction('{ holder { optional required } }');
    expect(answer.data).toBe('{"holder":null}');
    expect(answer.errors).toEqual([
      { message: 'Cannot return null for non-nullable field Holder.required.', path: ['holder', 'required'], extensions: { code: 'INVALID_GRAPHQL' } },
    ]);
    expect(answer.extensions).toBeUndefined();
  });
});

describe('enum values', () => {
  it('reach the client only when the API schema has them; the value is not named in the error', async () => {
    answering({ format: 'SECRET', formats: ['BOOK', 'SECRET', 'COMIC', 3, 'FILM'] });
    const answer = await supergraph.viaJunction('{ format formats }');
    expect(answer.data).toBe('{"format":null,"formats":["BOOK",null,null,null,"FILM"]}');
    expect(answer.errors).toEqual([
      invalid(['format'], 'field Query.format'),
      invalid(['formats', 1], 'array element of type Format at index 1'),
      invalid(['formats', 2], 'array element of type Format at index 2'),
      invalid(['formats', 3], 'array element of type Format at index 3'),
    ]);
    expect(JSON.stringify(answer)).not.toContain('SECRET');
  });
});

describe('custom scalars and nesting', () => {
  it('pass JSON values through as they are', async () => {
    const json = { a: [1, 'two', null, { b: true }], 'quote"d': 'x\ny' };
    answering({ json });
    const answer = await supergraph.viaJunction('{ json }');
    expect(answer).toEqual({ status: 200, data: JSON.stringify({ json }), errors: [] });
  });

  it('answer a subgraph nesting 100,000 levels deep with partial data and a coded error, not a crash', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    supergraph.subgraphs.values!.script = () => `{"data":{"json":${deep},"count":${deep},"label":"still here","holder":${'{"optional":'.repeat(50_000)}null${'}'.repeat(50_000)}}}`;
    const answer = await supergraph.viaJunction('{ json count label holder { optional } }');
    expect(answer.status).toBe(200);
    expect(answer.data).toBe('{"json":null,"count":null,"label":"still here","holder":{"optional":null}}');
    expect(answer.errors).toEqual([invalid(['json'], 'field Query.json'), invalid(['count'], 'field Query.count'), invalid(['holder', 'optional'], 'field Holder.optional')]);
  });

  it('refuse a list for an object and an object for a list', async () => {
    answering({ holder: [{ optional: 'x' }], tags: { 0: 'a' } });
    const answer = await supergraph.viaJunction('{ holder { optional } tags }');
    expect(answer.data).toBe('{"holder":null,"tags":null}');
    expect(answer.errors).toEqual([invalid(['holder'], 'field Query.holder'), invalid(['tags'], 'field Query.tags')]);
  });
});
