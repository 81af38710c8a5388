import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootAnswer, startScriptedSupergraph, type Answer, type ScriptedSupergraph } from '../../fixtures/scripted-subgraphs.js';

/**
 * The runtime type of an object, from the `__typename` a subgraph sent, read
 * against the API schema. Without one (the planner does not always fetch it)
 * or naming an interface (an @interfaceObject subgraph's answer), the data is
 * what stock @apollo/gateway writes: the fields and fragments of the type
 * itself and its supertypes. What neither can answer is null with an error
 * at its path, where stock answers null without one.
 */
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const MEDIA = `${LINK}
  interface Node { id: ID! }
  type Book implements Node @key(fields: "id") { id: ID! title: String! }
  type Film implements Node @key(fields: "id") { id: ID! title: String! minutes: Int }
  type Shelf { id: ID! }
  union Media = Book | Film
  type Query { node: Node nodes: [Node!]! media: Media book: Book required: Node! shelf: Shelf }
`;

let supergraph: ScriptedSupergraph;
beforeAll(async () => {
  supergraph = await startScriptedSupergraph({ media: MEDIA });
});
afterAll(() => supergraph.stop());

async function both(values: Record<string, unknown>, query: string): Promise<{ ours: Answer; stock: Answer }> {
  supergraph.subgraphs.media!.script = rootAnswer(values);
  return { ours: await supergraph.viaJunction(query), stock: await supergraph.viaStock(query) };
}

const typenameError = (path: (string | number)[], where: string) => ({
  message: `Invalid __typename found for object at ${where}.`,
  path,
  extensions: { code: 'INVALID_GRAPHQL' },
});

describe('an object without __typename', () => {
  it('in an interface position gets the interface and its own fragments, not its implementations’, as stock writes it', async () => {
    const query = '{ node { id ... on Node { nodeId: id } ... on Book { title } } nodes { id } }';
    const { ours, stock } = await both({ node: { id: '1', nodeId: '1', title: 'Dune' }, nodes: [{ id: '2' }, { id: '3' }] }, query);
    expect(ours).toEqual({ status: 200, data: '{"node":{"id":"1","nodeId":"1"},"nodes":[{"id":"2"},{"id":"3"}]}', errors: [] });
    expect(ours.data).toBe(stock.data);
  });

  it('in a union position selects nothing of its members', async () => {
    const { ours, stock } = await both({ media: { title: 'Dune' } }, '{ media { ... on Book { title } } }');
    expect(ours.data).toBe('{"media":{}}');
    expect(ours.data).toBe(stock.data);
  });

  it('cannot answer __typename: null with an error, up to the nearest nullable parent', async () => {
    const { ours, stock } = await both({ node: { id: '1' }, required: { id: '2' } }, '{ node { __typename id } }');
    expect(ours.data).toBe('{"node":null}');
    expect(ours.errors).toEqual([typenameError(['node'], 'field Query.node')]);
    // Stock: the same null, and no error at all.
    expect(stock).toMatchObject({ data: '{"node":null}', errors: [] });
    expect(stock.extensions).toBeUndefined();

    const required = await supergraph.viaJunction('{ required { __typename } }');
    expect(required.data).toBe('null');
    expect(required.errors).toEqual([typenameError(['required'], 'field Query.required')]);
  });
});

describe('an object whose __typename names an interface (an interface object)', () => {
  it('gets that interface’s fields and fragments, as stock writes it', async () => {
    const query = '{ node { id ... on Node { id } ... on Film { minutes } } }';
    const { ours, stock } = await both({ node: { __typename: 'Node', id: '7', minutes: 3 } }, query);
    expect(ours).toEqual({ status: 200, data: '{"node":{"id":"7"}}', errors: [] });
    expect(ours.data).toBe(stock.data);
  });
});

describe('a __typename the object cannot have', () => {
  it('naming no type of the API schema, or a leaf type: null with an error, as stock', async () => {
    const { ours, stock } = await both({ node: { __typename: 'Secret', id: '2' }, media: { __typename: 'String' } }, '{ media { __typename } node { id } }');
    expect(ours.data).toBe('{"media":null,"node":null}');
    expect(ours.errors).toEqual([typenameError(['media'], 'field Query.media'), typenameError(['node'], 'field Query.node')]);
    expect(stock.data).toBe(ours.data);
    expect(stock.extensions?.valueCompletion).toEqual(ours.errors);
  });

  it('naming another object type than the field’s, or one outside its abstract type: null with an error, where stock writes the other type', async () => {
    const query = '{ book { __typename title } media { __typename } node { __typename } }';
    const values = { book: { __typename: 'Film', title: 'Alien' }, media: { __typename: 'Shelf' }, node: { __typename: 'Shelf', id: 's' } };
    const { ours, stock } = await both(values, query);
    expect(ours.data).toBe('{"book":null,"media":null,"node":null}');
    expect(ours.errors).toEqual([
      typenameError(['book'], 'field Query.book'),
      typenameError(['media'], 'field Query.media'),
      typenameError(['node'], 'field Query.node'),
    ]);
    expect(stock.data).toBe('{"book":{"__typename":"Film","title":"Alien"},"media":{"__typename":"Shelf"},"node":{"__typename":"Shelf"}}');
  });
});
