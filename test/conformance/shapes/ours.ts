import { signGatewayToken, type Identity } from '#lib/identity.js';
import { generateWorld } from '../../../scripts/seed/world.js';
import { startTestStack } from '../../support/stack.js';
import type { SelfServed } from '../harness.js';
import type { Shape } from '../shape.js';

/**
 * Junction's own commerce supergraph: supergraph.yaml's four subgraphs, the
 * real ones, on a fresh database with a small seed world (test/support/stack.ts).
 * Both gateways call them as a signed-in user allowed to read emails (the
 * subgraphs answer only requests the gateway signed).
 */
const world = generateWorld({ users: 4, products: 6, reviews: 12 }, 7);
const [first, second] = world.products;
const viewer: Identity = { kind: 'user', subject: String(world.users[0]!.id), scopes: ['read:email'] };

const shape: Shape = {
  name: 'ours',
  about: "Junction's own supergraph (accounts, products, inventory, reviews) on a small seed world.",
  subgraphs: [],
  scenarios: [
    {
      name: 'the public benchmark query',
      query: `fragment User on User { id username name }
        fragment Review on Review { id body }
        fragment Product on Product { inStock name price shippingEstimate upc weight }
        query TestQuery {
          users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
          topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
        }`,
      operationName: 'TestQuery',
    },
    { name: 'the signed-in user and their email', query: '{ me { id username email reviews(first: 2) { rating product { name } } } }' },
    {
      name: 'a page of products with cursors, and a product that does not exist',
      query: `query($upc: String!) { products(first: 2) { edges { cursor node { upc quantity } } pageInfo { hasNextPage endCursor } } missing: product(upc: "0") { name } one: product(upc: $upc) { name createdAt } }`,
      variables: { upc: second!.upc },
    },
    {
      name: 'introspection with fragments beside data',
      query: `{ topProducts(first: 1) { name } __type(name: "Product") { ...Type fields { name type { ...Type ofType { ...Type } } } } }
        fragment Type on __Type { kind name }`,
    },
  ],
  values: {
    'Query.user(id:)': [...world.users.slice(0, 2).map((user) => String(user.id)), '999'],
    'Query.product(upc:)': [first!.upc, second!.upc, '0'],
    'Query.review(id:)': ['1', '999'],
    Int: [1, 2],
  },
  // Mutations would change the database between the two gateways' runs.
  generator: { mutations: false },
};

export const ours: SelfServed = {
  shape,
  async start() {
    const stack = await startTestStack(world);
    let token: { value: Promise<string>; expires: number } | undefined;
    return {
      supergraphSdl: stack.supergraphSdl,
      // Gateway tokens live 120 s: a fresh one every minute.
      gatewayToken: () => {
        if (!token || token.expires < Date.now()) token = { value: signGatewayToken(viewer, stack.env.GATEWAY_SECRET), expires: Date.now() + 60_000 };
        return token.value;
      },
      stop: () => stack.close(),
    };
  },
};
