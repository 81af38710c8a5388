import { buildClientSchema, execute, getIntrospectionQuery, parse, printSchema, type ExecutionResult, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from '#tooling/supergraph.js';
import { apiSchemaOf as stockApiSchemaOf } from '#tooling/api-schema.js';
import { withDeferDirective } from '#gateway/execution/defer/defer-directive.js';

/** The API schema Junction serves: stock's, with `@defer` after its directives, as Apollo Router's API schema has it. */
const apiSchemaOf = (sdl: string) => withDeferDirective(stockApiSchemaOf(sdl));
import { startShop, type Shop } from '../../fixtures/shop-subgraphs.js';
import { startJunction } from '../../support/executor-comparison.js';
import { GRAPHIQL_INTROSPECTION_QUERY } from '../../support/graphql.js';

/**
 * Introspection through Junction's executor, exactly as graphql-js executes it
 * against the API schema (issue 12 item 1): whatever the document's shape,
 * the answer is graphql-js's, and the query GraphiQL 3 sends rebuilds the API
 * schema. The browser side is test/ide/.
 */
let shop: Shop;
let junction: ReturnType<typeof startJunction>;
let supergraphSdl: string;

beforeAll(async () => {
  shop = await startShop();
  const composed = await composeSupergraph({
    federationVersion: '=2.14.4',
    subgraphs: shop.subgraphs.map(({ name, url }) => ({ name, routingUrl: url, schema: { subgraphUrl: url } })),
  });
  if (!composed.ok) throw new Error(JSON.stringify(composed.problems));
  supergraphSdl = composed.supergraphSdl;
  junction = startJunction({ supergraphSdl });
});
afterAll(async () => {
  await junction?.stop();
  await shop?.stop();
});

async function viaJunction(query: string, variables?: Record<string, unknown>) {
  const answer = await junction.via({ query, variables });
  expect(answer.status).toBe(200);
  return { data: JSON.parse(answer.data!) as Record<string, unknown>, errors: answer.errors };
}

/** What graphql-js answers: the document against the API schema, with no data behind its other fields. */
function graphqlJs(query: string, variables?: Record<string, unknown>) {
  return execute({ schema: apiSchemaOf(supergraphSdl), document: parse(query), variableValues: variables ?? {} }) as ExecutionResult;
}

describe('the introspection query', () => {
  it("GraphiQL 3's, with every option, rebuilds exactly the API schema", async () => {
    const query = GRAPHIQL_INTROSPECTION_QUERY;
    const { data, errors } = await viaJunction(query);
    expect(errors).toEqual([]);
    expect(printSchema(buildClientSchema(data as unknown as IntrospectionQuery))).toBe(printSchema(apiSchemaOf(supergraphSdl)));
    expect(data).toEqual(graphqlJs(query).data);
  });

  it('the default one, too', async () => {
    const { data } = await viaJunction(getIntrospectionQuery());
    expect(printSchema(buildClientSchema(data as unknown as IntrospectionQuery))).toBe(printSchema(apiSchemaOf(supergraphSdl)));
  });
});

describe('any document shape, answered as graphql-js answers it', () => {
  const cases: { name: string; query: string; variables?: Record<string, unknown> }[] = [
    { name: 'a named fragment inside __schema', query: '{ __schema { types { ...T } } } fragment T on __Type { name kind }' },
    {
      name: 'nested fragments on __Type, __Field, __InputValue and __EnumValue',
      query: `{ __type(name: "Product") { ...Type } }
        fragment Type on __Type { name fields(includeDeprecated: true) { ...Field } interfaces { name } }
        fragment Field on __Field { name args { ...Arg } type { ...Ref } }
        fragment Arg on __InputValue { name defaultValue type { ...Ref } }
        fragment Ref on __Type { kind name ofType { kind name ofType { kind name } } }`,
    },
    { name: 'inline fragments, with and without a type condition', query: '{ __schema { queryType { ... on __Type { name } ... { kind } } } }' },
    { name: 'aliases at every level', query: '{ s: __schema { q: queryType { n: name f: fields { n: name } } } t: __type(name: "Format") { v: enumValues { n: name } } }' },
    {
      name: '@skip and @include, literal and by variable',
      query: 'query($yes: Boolean!, $no: Boolean!) { __schema { queryType @include(if: $yes) { name } mutationType @skip(if: $yes) { name } types @include(if: $no) { name } directives @skip(if: false) { name } } }',
      variables: { yes: true, no: false },
    },
    { name: '__type by variable, and a type that does not exist', query: 'query($t: String!) { a: __type(name: $t) { name } b: __type(name: "Nope") { name } }', variables: { t: 'User' } },
    { name: '__schema in a fragment on Query', query: '{ ...Root } fragment Root on Query { __schema { subscriptionType { name } } __type(name: "Query") { name } }' },
    { name: 'one response name merged from several places', query: '{ ... { __schema { queryType { name } } } __schema { directives { name } } }' },
  ];
  for (const { name, query, variables } of cases) {
    it(name, async () => {
      const { data, errors } = await viaJunction(query, variables);
      const expected = graphqlJs(query, variables);
      expect(errors).toEqual([]);
      expect(JSON.stringify(data)).toBe(JSON.stringify(expected.data));
    });
  }

  it('beside ordinary fields, each where the document puts it', async () => {
    const query = '{ a: __type(name: "User") { name } product(upc: "b1") { name } __schema { queryType { name } } b: __typename }';
    const { data, errors } = await viaJunction(query);
    expect(errors).toEqual([]);
    expect(Object.keys(data)).toEqual(['a', 'product', '__schema', 'b']);
    expect(data.product).toEqual({ name: 'Dune' });
    const expected = graphqlJs(query).data!;
    expect([data.a, data.__schema, data.b]).toEqual([expected.a, expected.__schema, 'Query']);
  });
});
