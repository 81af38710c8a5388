import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ERRORS_PER_FETCH } from '#gateway/execution/subgraph-errors.js';
import { startScriptedSupergraph, type ScriptedSupergraph, type SubgraphRequest } from '../../fixtures/scripted-subgraphs.js';

/**
 * The gateway does not take a subgraph's word for the shape of its answer:
 * an entity of another type than the one asked for is not merged, an answer
 * with neither data nor errors is an error where its data should be, and a
 * flood of errors is cut to a bounded list. Each is reported at its place,
 * with a code, and the rest of the answer stands.
 */
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const CATALOG = `${LINK}
  type Book @key(fields: "id") { id: ID! title: String! }
  type Film @key(fields: "id") { id: ID! title: String! }
  type Query { books: [Book]! film: Film }
`;
const PRICES = `${LINK}
  type Book @key(fields: "id") { id: ID! price: Int! }
  type Film @key(fields: "id") { id: ID! price: Int! }
  type Query { cheapest: Book }
`;

let supergraph: ScriptedSupergraph;
beforeAll(async () => {
  supergraph = await startScriptedSupergraph({ catalog: CATALOG, prices: PRICES });
  supergraph.subgraphs.catalog!.script = () => ({
    data: { books: [{ __typename: 'Book', id: 'b1', title: 'Dune' }, { __typename: 'Book', id: 'b2', title: 'Emma' }], film: { __typename: 'Film', id: 'f1', title: 'Alien' } },
  });
});
afterAll(() => supergraph.stop());

const representations = (request: SubgraphRequest) => request.variables.representations as { __typename: string; id: string }[];

describe('entities', () => {
  it('of another type than the one asked for are not merged; the error sits at each of its places', async () => {
    supergraph.subgraphs.prices!.script = (request) => ({
      data: { _entities: representations(request).map(({ id }) => (id === 'b2' ? { __typename: 'Film', price: 99 } : { __typename: 'Book', price: 12 })) },
    });
    const answer = await supergraph.viaJunction('{ books { id title price } }');
    expect(answer.data).toBe('{"books":[{"id":"b1","title":"Dune","price":12},null]}');
    expect(answer.errors).toEqual([
      {
        message: 'The prices subgraph answered an entity of another type than the one asked for.',
        path: ['books', 1],
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'prices' },
      },
    ]);
    // Stock merges the Film's price into the Book.
    expect((await supergraph.viaStock('{ books { id title price } }')).data).toBe('{"books":[{"id":"b1","title":"Dune","price":12},{"id":"b2","title":"Emma","price":99}]}');
  });

  it('without __typename take the one asked for', async () => {
    supergraph.subgraphs.prices!.script = (request) => ({ data: { _entities: representations(request).map(() => ({ price: 5 })) } });
    const answer = await supergraph.viaJunction('{ books { id price } film { price } }');
    expect(answer).toEqual({ status: 200, data: '{"books":[{"id":"b1","price":5},{"id":"b2","price":5}],"film":{"price":5}}', errors: [] });
  });
});

describe('answers with neither data nor errors', () => {
  it('are an error at each place the fetch was to fill', async () => {
    supergraph.subgraphs.prices!.script = () => ({ data: null });
    const answer = await supergraph.viaJunction('{ film { title price } cheapest { id } }');
    const error = (path: (string | number)[]) => ({
      message: 'The prices subgraph answered no data and no errors.',
      path,
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'prices' },
    });
    expect(answer.data).toBe('{"film":null,"cheapest":null}');
    expect(answer.errors).toEqual([error(['cheapest']), error(['film'])]);
    // Stock: silent nulls, the missing non-null price only in extensions.valueCompletion.
    const stock = await supergraph.viaStock('{ film { title price } cheapest { id } }');
    expect(stock.errors).toEqual([]);
  });

  it('without `data` at all, too', async () => {
    supergraph.subgraphs.prices!.script = () => '{"extensions":{}}';
    const answer = await supergraph.viaJunction('{ cheapest { id } }');
    expect(answer.status).toBe(200);
    expect(answer.data).toBe('{"cheapest":null}');
    expect(answer.errors.map((error) => [error.extensions?.code, error.path])).toEqual([['DOWNSTREAM_SERVICE_ERROR', ['cheapest']]]);
  });
});

describe('errors', () => {
  it(`are kept to ${MAX_ERRORS_PER_FETCH} per fetch, and one more that counts the rest`, async () => {
    const flood = Array.from({ length: 100_000 }, (_, index) => ({ message: `Price ${index} unknown`, path: ['_entities', index % 2, 'price'] }));
    supergraph.subgraphs.prices!.script = (request) => ({ data: { _entities: representations(request).map(() => null) }, errors: flood });
    const answer = await supergraph.viaJunction('{ books { id price } }');
    expect(answer.data).toBe('{"books":[null,null]}');
    expect(answer.errors).toHaveLength(MAX_ERRORS_PER_FETCH + 1);
    expect(answer.errors[0]).toEqual({ message: 'Price 0 unknown', path: ['books', 0, 'price'], extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'prices' } });
    expect(answer.errors.at(-1)).toEqual({
      message: `The prices subgraph reported ${100_000 - MAX_ERRORS_PER_FETCH} more errors, not shown.`,
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'prices' },
    });
  });

  it('keep what a client can use of a malformed one: text messages, real paths, extensions cut at a sane depth', async () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    supergraph.subgraphs.prices!.script = () =>
      `{"data":{"cheapest":null},"errors":[{"message":{"html":"<b>"},"path":["cheapest"]},` +
      `{"message":"Bad path","path":[{"step":1}],"extensions":{"code":"BAD_USER_INPUT","detail":${deep}}}]}`;
    const answer = await supergraph.viaJunction('{ cheapest { id } }');
    expect(answer.data).toBe('{"cheapest":null}');
    expect(answer.errors[0]).toEqual({
      message: 'Error while fetching subquery from service "prices"',
      path: ['cheapest'],
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'prices' },
    });
    expect(answer.errors[1]).toMatchObject({ message: 'Bad path', extensions: { code: 'BAD_USER_INPUT', serviceName: 'prices' } });
    expect(answer.errors[1]).not.toHaveProperty('path');
    expect(JSON.stringify(answer.errors[1]).length).toBeLessThan(200);
  });
});
