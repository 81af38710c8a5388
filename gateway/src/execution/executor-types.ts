import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { GatewayContext, SubgraphFetcher } from '#gateway/fetch/transport.js';
import type { ExecutionResult } from './plan-answer.js';
import type { EventStream } from './subscription-executor.js';

/** What the executor (executor.ts) is made from, takes and answers: the execution layer's face to the pipeline. */
export type ExecutorOptions = {
  supergraphSdl: string;
  /** Makes the fetcher for each subgraph of the supergraph, from its name and routing URL. */
  fetcher(subgraph: { name: string; url: string }): SubgraphFetcher;
  /** false refuses `__schema` and `__type` in validation, for every caller. */
  introspection: boolean;
  /** Distinct operations kept, planned. */
  planCacheSize?: number;
  /** Told whether each operation's plan was in the cache (hit) or had to be made (miss). */
  onPlanCache?: ((hit: boolean) => void) | undefined;
  /**
   * Where new operations are planned: `threads` planning threads
   * (planning/planner-pool.ts), each plan within `timeoutMs`; with 0 threads,
   * on the gateway's own thread, without a time limit.
   */
  planning?: { threads: number; timeoutMs: number } | undefined;
  /** Told how long each new operation took to validate and plan, and how that ended. */
  onPlanned?: ((seconds: number, outcome: 'planned' | 'refused' | 'timeout') => void) | undefined;
  /** Draws `percent(N)` override labels (override-labels.ts); Math.random unless a test needs its own. */
  random?: () => number;
};

export type ExecutionRequest = {
  document: DocumentNode;
  /** The document's text: the key its plan is kept under. */
  query: string;
  operationName?: string | null | undefined;
  variables?: Readonly<Record<string, unknown>> | undefined;
  context: GatewayContext;
  /** Progressive override labels the gateway's configuration activates for this request (override-labels.ts). */
  overrideLabels?: ReadonlySet<string> | undefined;
  /** The client reads multipart (deferSpec=20220824): `@defer` fragments come in `subsequent`; otherwise with the rest. */
  defer?: boolean | undefined;
};

export type Executor = {
  /** The API schema clients see: what they validate and introspect against. */
  schema: GraphQLSchema;
  /** The subgraphs' names and routing URLs. */
  subgraphs: readonly { name: string; url: string }[];
  execute(request: ExecutionRequest): Promise<ExecutionResult>;
  /**
   * Subscribes to a subscription operation (subscription-executor.ts): a
   * stream of events, each with the rest of the plan run, or an
   * ExecutionResult when it cannot start (invalid, not a subscription,
   * the subgraph's circuit open).
   */
  subscribe(request: ExecutionRequest): Promise<ExecutionResult | EventStream>;
  /** Subscriptions open on it now. */
  readonly openSubscriptions: number;
  /** Resolves once no subscription is open on it: a replaced supergraph is kept for those that are (served-supergraphs.ts). */
  drained(): Promise<void>;
  /** Stops its planning threads: once no request runs on it (a replaced supergraph's, after its requests' deadline). */
  close(): Promise<void>;
};
