import type { IncomingMessage } from 'node:http';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewaySettings } from '#lib/env.js';
import type { Identity } from '#lib/identity.js';
import { refusal, type OperationState, type Stage } from '#gateway/pipeline/stage.js';
import type { CostEstimate, CostEstimator, Variables } from './cost-estimator.js';

/** The request header a client asks for `extensions.cost` with: `estimated`, or `actual` (both). */
export const COST_HEADER = 'x-junction-cost';

/** Whose limit applied: the API key's own, its contract's, the anonymous one or MAX_COST. */
export type CostBudget = 'api_key' | 'contract' | 'anonymous' | 'default';

export type CostStageOptions = {
  settings: GatewaySettings['cost'];
  /** The contract a caller is served (CONTRACT_CLIENTS), if any. */
  contractOf(identity: Identity | null): string | undefined;
  /** Each operation's estimate, refused ones included. */
  onEstimated?: ((cost: number) => void) | undefined;
  /** Each actual cost measured (when a client asked for it). */
  onActual?: ((cost: number) => void) | undefined;
  /** Each operation refused as too expensive, by whose limit refused it. */
  onRefused?: ((budget: CostBudget) => void) | undefined;
};

/** Distinct documents whose estimates are kept per supergraph, and their text in all (keys hold the text). */
const DOCUMENTS = 1_000;
const DOCUMENT_CHARACTERS = 4_000_000;
/** Estimates kept per document, each for the values of the variables it read. */
const ESTIMATES_PER_DOCUMENT = 8;

/** An estimate, and the values of the variables it read (JSON), which a request must share to reuse it. */
type Remembered = { variables: readonly string[]; values: string; estimate: CostEstimate };

/** What onAnswer reports for an operation whose client asked. */
type Report = { actual: boolean; estimated: number; document: DocumentNode; operation: OperationDefinitionNode };

/**
 * Demand control (cost-estimator.ts): each operation's cost is estimated
 * against the supergraph served to the caller, before any subgraph is called,
 * and refused over the caller's limit: its API key's own (`junction api-key
 * create --max-cost`), else its contract's (CONTRACT_MAX_COST), else
 * MAX_COST_ANONYMOUS for anonymous callers and MAX_COST for everyone else.
 *
 * It runs before authorization, on the document as sent: the estimate is an
 * upper bound of what the filtered document costs (authorization only takes
 * fields out), it is the same for every caller, so it is kept per document
 * whoever sends it, and a refusal says nothing of what the caller may see.
 * (Apollo Router prices the operation as planned, after its authorization.)
 *
 * Estimates are kept per supergraph, per document and operation name, and
 * per values of the variables the estimate read (`@skip`/`@include`
 * conditions, slicing arguments, costed arguments): other variables (an id)
 * reuse them. A client sending `x-junction-cost: estimated` gets
 * `extensions.cost.estimated`; `actual` adds the cost measured over the
 * answer, the only case where the answer's data is parsed here.
 */
export function costStage({ settings, contractOf, onEstimated, onActual, onRefused }: CostStageOptions): Stage {
  const estimates = new WeakMap<CostEstimator, LRUCache<string, Remembered[]>>();
  const reports = new WeakMap<OperationState, Report>();

  function estimate(estimator: CostEstimator, operation: OperationState, document: DocumentNode, chosen: OperationDefinitionNode, variables: Variables): CostEstimate {
    let cache = estimates.get(estimator);
    if (!cache) {
      cache = new LRUCache({ max: DOCUMENTS, maxSize: DOCUMENT_CHARACTERS, sizeCalculation: (_value, key) => Math.max(key.length, 1) });
      estimates.set(estimator, cache);
    }
    const key = `${operation.sent.operationName ?? ''}\u0000${operation.query ?? ''}`;
    let remembered = cache.get(key);
    for (const each of remembered ?? []) {
      if (valuesOf(each.variables, variables) === each.values) return each.estimate;
    }
    const made = estimator.estimate(document, chosen, variables);
    if (!remembered) cache.set(key, (remembered = []));
    remembered.unshift({ variables: made.variables, values: valuesOf(made.variables, variables), estimate: made });
    remembered.length = Math.min(remembered.length, ESTIMATES_PER_DOCUMENT);
    return made;
  }

  function limitFor(identity: Identity | null): { max: number; budget: CostBudget } {
    if (identity?.maxCost !== undefined) return { max: identity.maxCost, budget: 'api_key' };
    const contract = contractOf(identity);
    const ofContract = contract === undefined ? undefined : settings.contractMaxCost.get(contract);
    if (ofContract !== undefined) return { max: ofContract, budget: 'contract' };
    return identity ? { max: settings.maxCost, budget: 'default' } : { max: settings.anonymousMaxCost, budget: 'anonymous' };
  }

  return {
    name: 'cost',
    onOperation(operation) {
      const { document, operation: chosen } = operation;
      if (!document || !chosen) throw new Error('The cost stage needs a parsed document: put it after the stage that parses (limits).');
      const sent = operation.sent.variables;
      const variables: Variables = sent && typeof sent === 'object' && !Array.isArray(sent) ? sent : {};
      const estimated = estimate(operation.served.cost, operation, document, chosen, variables);
      if (!estimated.ok) return refusal(400, estimated.code, estimated.message);
      onEstimated?.(estimated.cost);
      const { max, budget } = limitFor(operation.request.identity);
      // Written so that a cost that is not a number is over every limit.
      if (!(estimated.cost <= max)) {
        onRefused?.(budget);
        // Apollo Router's message and code, with the figures in `extensions.cost`.
        return refusal(400, 'COST_ESTIMATED_TOO_EXPENSIVE', `query estimated cost ${estimated.cost} exceeded configured maximum ${max}`, {
          extensions: { cost: { estimated: estimated.cost, max } },
        });
      }
      const asked = askedFor(operation.request.req);
      // The document as sent, before authorization replaces it: what the client selected is what its answer holds.
      if (asked) reports.set(operation, { actual: asked === 'actual', estimated: estimated.cost, document, operation: chosen });
      return undefined;
    },
    onAnswer(operation, answer) {
      const report = reports.get(operation);
      // An answer in parts (@defer) reports its cost with the first; the actual cost needs the whole answer, which no part is.
      if (!report || (answer.part !== undefined && answer.part !== 'initial')) return undefined;
      const cost: Record<string, number> = { estimated: report.estimated };
      if (report.actual && answer.part === undefined) {
        const sent = operation.sent.variables;
        cost.actual = operation.served.cost.actual(report.document, report.operation, sent && typeof sent === 'object' ? sent : {}, answer.data);
        onActual?.(cost.actual);
      }
      const data = answer.data;
      return {
        ...(data === undefined ? {} : { data }),
        ...(answer.errors ? { errors: answer.errors } : {}),
        extensions: { ...answer.extensions, cost },
      };
    },
  };
}

/** What the client asked to see: `x-junction-cost: estimated`, or `actual` (which reports both). */
function askedFor(req: IncomingMessage): 'estimated' | 'actual' | undefined {
  const header = req.headers[COST_HEADER];
  if (typeof header !== 'string') return undefined;
  const asked = header.toLowerCase().split(',').map((token) => token.trim());
  if (asked.includes('actual')) return 'actual';
  return asked.includes('estimated') ? 'estimated' : undefined;
}

/** The values of `names` in `variables`, as one string: a variable left out differs from one sent as null. */
function valuesOf(names: readonly string[], variables: Variables): string {
  if (names.length === 0) return '';
  return JSON.stringify(names.map((name) => (Object.hasOwn(variables, name) ? [variables[name]] : [])));
}
