/**
 * A supergraph annotated the way Apollo Router's demand-control fixtures are
 * (a store's catalogue rather than theirs), for estimates worked out by hand.
 * `costDirectives` writes its `@link` to the cost spec: plain imports, renamed
 * ones (`@renamedCost`), or none (`@cost` and `@cost__listSize`, the spec's own names).
 */
export function annotatedSupergraph(names: { cost: string; listSize: string; link: string }): string {
  const { cost, listSize, link } = names;
  return /* GraphQL */ `
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  ${link}
{
  query: Query
  mutation: Mutation
}

directive @${cost}(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @${listSize}(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String, contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar join__FieldValue
scalar join__DirectiveArguments
scalar link__Import
input join__ContextArgument { name: String! type: String! context: String! selection: join__FieldValue! }
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph {
  CATALOG @join__graph(name: "catalog", url: "http://catalog")
  STOCK @join__graph(name: "stock", url: "http://stock")
}

enum Grade @join__type(graph: CATALOG) @${cost}(weight: 15) {
  NEW @join__enumValue(graph: CATALOG)
  USED @join__enumValue(graph: CATALOG)
}

scalar Money @join__type(graph: CATALOG) @${cost}(weight: 30)

type Appraisal @join__type(graph: CATALOG) @${cost}(weight: 40) {
  id: ID
}

input PriceFilter @join__type(graph: CATALOG) {
  below: Int @${cost}(weight: 20)
  currency: String
}

input Page @join__type(graph: CATALOG) {
  first: Int
  after: String
}

input Search @join__type(graph: CATALOG) {
  page: Page
  text: String
}

interface Item @join__type(graph: CATALOG) {
  id: ID!
}

type Book implements Item @join__type(graph: CATALOG, key: "id") @join__implements(graph: CATALOG, interface: "Item") @join__type(graph: STOCK, key: "id") {
  id: ID!
  title: String @join__field(graph: CATALOG)
  weight: Int @join__field(graph: CATALOG) @join__field(graph: STOCK, external: true)
  author: Author @join__field(graph: CATALOG)
  shipping: Int @join__field(graph: STOCK, requires: "weight author { id }")
}

type Author @join__type(graph: CATALOG) {
  id: ID!
  books: [Book] @join__field(graph: CATALOG)
}

type Record implements Item @join__type(graph: CATALOG) @join__implements(graph: CATALOG, interface: "Item") @${cost}(weight: 5) {
  id: ID!
}

union Found @join__type(graph: CATALOG) @join__unionMember(graph: CATALOG, member: "Book") @join__unionMember(graph: CATALOG, member: "Record") = Book | Record

type BookPage @join__type(graph: CATALOG) {
  items: [Book]
  total: Int
}

type Query @join__type(graph: CATALOG) @join__type(graph: STOCK) {
  weighted: Int @join__field(graph: CATALOG) @${cost}(weight: 5)
  withCostlyArgument(discount: Int @${cost}(weight: 10)): Int @join__field(graph: CATALOG)
  grade: Grade @join__field(graph: CATALOG)
  price(filter: PriceFilter): Int @join__field(graph: CATALOG)
  money: Money @join__field(graph: CATALOG)
  appraisal: Appraisal @join__field(graph: CATALOG)
  tags: [String!] @join__field(graph: CATALOG) @${listSize}(assumedSize: 2000, requireOneSlicingArgument: false)
  book(id: ID!): Book @join__field(graph: CATALOG)
  books: [Book] @join__field(graph: CATALOG)
  newest(first: Int = 10): [Book] @join__field(graph: CATALOG) @${listSize}(slicingArguments: ["first"])
  page(first: Int = 10): BookPage @join__field(graph: CATALOG) @${listSize}(slicingArguments: ["first"], sizedFields: ["items"])
  window(first: Int, last: Int): [Book] @join__field(graph: CATALOG) @${listSize}(slicingArguments: ["first", "last"])
  loose(first: Int, last: Int): [Book] @join__field(graph: CATALOG) @${listSize}(slicingArguments: ["first", "last"], assumedSize: 50, requireOneSlicingArgument: false)
  byIds(ids: [ID!]!): [Book] @join__field(graph: CATALOG) @${listSize}(slicingArguments: ["ids"])
  search(input: Search): [Book] @join__field(graph: CATALOG) @${listSize}(slicingArguments: ["input.page.first"], assumedSize: 25, requireOneSlicingArgument: false)
  items: [Item] @join__field(graph: CATALOG) @${listSize}(assumedSize: 3)
  found: [Found] @join__field(graph: CATALOG) @${listSize}(assumedSize: 4)
}

type Mutation @join__type(graph: CATALOG) {
  restock(id: ID!, units: Int): Book @join__field(graph: CATALOG)
}
`;
}

/** The cost spec imported under its names. */
export const IMPORTED = { cost: 'cost', listSize: 'listSize', link: '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"])' };
/** Imported under other names, as a supergraph may. */
export const RENAMED = {
  cost: 'renamedCost',
  listSize: 'renamedListSize',
  link: '@link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@cost", as: "@renamedCost" }, { name: "@listSize", as: "@renamedListSize" }])',
};
/** Linked without imports: the spec's own names in the schema, `@cost` and `@cost__listSize`. */
export const UNIMPORTED = { cost: 'cost', listSize: 'cost__listSize', link: '@link(url: "https://specs.apollo.dev/cost/v0.1")' };
/** Renamed as composition renames them for a subgraph that wrote `@federation__cost` without importing it. */
export const FEDERATION_NAMES = {
  cost: 'federation__cost',
  listSize: 'federation__listSize',
  link: '@link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@cost", as: "@federation__cost" }, { name: "@listSize", as: "@federation__listSize" }])',
};
