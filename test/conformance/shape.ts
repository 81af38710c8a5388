import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Operation } from '../support/executor-comparison.js';

/**
 * What the conformance suite knows of one supergraph shape: its subgraphs
 * (SDL and resolvers over small in-memory data, served by subgraph-host.ts),
 * the operations written for it, and the argument values its data answers,
 * from which generator.ts builds operations.
 */
export type SubgraphDefinition = {
  name: string;
  sdl: string;
  resolvers: GraphQLResolverMap<unknown>;
  /** Errors answered as a bare graphql-js server answers them: no `extensions`, so no code. */
  bareErrors?: boolean;
};

export type Scenario = Operation & {
  name: string;
  /**
   * The operation stock runs instead, on an equivalent supergraph (known-differences.ts
   * says which): e.g. the `@fromContext` value passed as an argument.
   */
  equivalent?: Operation;
};

/**
 * Argument values the fixtures' data answers, for generated operations. Looked
 * up by coordinate first (`Query.book(isbn:)`, `ProductFilter.maxPrice`), then by
 * type name (`ID`, `Int`, `String`, an input type); enums and Booleans need none.
 * An optional argument without values is left out; a required one is filled
 * from its type's values.
 */
export type ValuePools = Record<string, readonly unknown[]>;

export type GeneratorSettings = {
  /** Levels of fields nested in generated operations (default 3). */
  depth?: number;
  /** Whether generated operations may be mutations (the host resets the data around each). */
  mutations?: boolean;
  /** Fields (`Type.field`) generated operations never select, optional arguments (`Type.field(arg:)`) they never give. */
  exclude?: readonly string[];
  /** Optional arguments (`Type.field(arg:)`) generated operations always give, from their values. */
  alwaysGive?: readonly string[];
};

export type Shape = {
  name: string;
  /** What the shape is for, in a sentence or two. */
  about: string;
  subgraphs: SubgraphDefinition[];
  /**
   * Equivalent supergraphs without a feature stock lacks, by variant name (each
   * replaces the subgraphs it names). Stock answers on them stand in for stock
   * on the real one where known-differences.ts says so.
   */
  variants?: Record<string, SubgraphDefinition[]>;
  /** Puts the data back as it was: before each run of an operation that writes. */
  reset?(): void;
  scenarios: Scenario[];
  values: ValuePools;
  generator?: GeneratorSettings;
};

/** `extend schema @link(...)` for a federation version and the directives a subgraph imports. */
export function link(version: '2.7' | '2.8', ...imports: string[]): string {
  return `extend schema @link(url: "https://specs.apollo.dev/federation/v${version}", import: [${imports.map((name) => `"@${name}"`).join(', ')}])`;
}
