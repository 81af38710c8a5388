import {
  GraphQLError,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  getNamedType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { AnswerBudget } from '#gateway/fetch/transport.js';
import { explainedBy, renamed } from '../error-paths.js';
import type { PlanResult } from '../query-plan-executor.js';
import type { Data } from '../response-tree.js';
import { compileShape, type Runtime } from '../response-shape.js';
import { writeObjectAt, writeResponse } from '../response-writer.js';
import { deferLayout, type DeferredFragment, type Step } from './defer-layout.js';
import type { DeferredRuns } from './deferrals.js';

/** One deferred fragment's data at one path, as deferSpec=20220824 has it. */
export type IncrementalItem = {
  /** JSON text of the fragment's selections at `path`; `null` when a null reached the fragment. */
  data: string;
  path: (string | number)[];
  label?: string;
  errors?: GraphQLError[];
};

/** A payload after the first: `{ incremental: [...], hasNext }`. */
export type SubsequentPayload = { incremental: IncrementalItem[]; hasNext: boolean };

export type IncrementalWrite = {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>>;
  renames: ReadonlyMap<string, string> | undefined;
  /** The gateway's labels (defer-directive.ts) to the client's. */
  labels: ReadonlyMap<string, string | undefined>;
  execution: PlanResult;
  runs: DeferredRuns;
  introspection: Record<string, unknown> | undefined;
  budget: AnswerBudget | undefined;
};

/** The initial payload's data and errors, and the payloads after it; none when no fragment is deferred for these variables. */
export type IncrementalAnswer =
  | { tooLarge: true }
  | { data: string; errors: GraphQLError[]; subsequent: AsyncIterable<SubsequentPayload> | undefined };

/**
 * An operation with deferred fragments, answered in parts: the operation
 * without them first (defer-layout.ts), written as soon as the plan's
 * primary blocks ran; then each deferred fragment, once its block ran and
 * the payload it is nested in went out, written by the same response writer
 * at each path where its parent payload has an object it applies to.
 */
export function writeIncrementally(input: IncrementalWrite): IncrementalAnswer {
  const { schema, execution, renames, budget } = input;
  const layout = deferLayout(input.operation, input.fragments, input.variables);
  const shape = compileShape(schema, layout.primary, layout.fragments, input.variables, renames);
  const written = writeResponse(shape, execution.data, {
    introspection: input.introspection,
    escapes: true,
    explained: explainedBy(execution.errors, execution.failed),
    refused: execution.refused,
    maxBytes: budget ? budget.limit - budget.written : undefined,
  });
  if ('tooLarge' in written) return { tooLarge: true };
  if (budget) budget.written += written.bytes;
  const errors = [...execution.errors, ...written.errors];
  if (layout.deferred.length === 0) return { data: written.data, errors, subsequent: undefined };
  // What the client has so far: a deferred fragment is delivered only where its parent payload has an object.
  const delivered = JSON.parse(written.data) as Data | null;
  return { data: written.data, errors, subsequent: payloads(input, layout.deferred, delivered, shape) };
}

async function* payloads(input: IncrementalWrite, deferred: readonly DeferredFragment[], delivered: Data | null, shape: ReturnType<typeof compileShape>): AsyncGenerator<SubsequentPayload> {
  const sent = new Map<string, Promise<void>>();
  const markSent = new Map<string, () => void>();
  for (const fragment of deferred) sent.set(fragment.id, new Promise((resolve) => markSent.set(fragment.id, resolve)));
  // Each fragment is ready once its block ran and its parent's payload went out; payloads go in the order they are ready.
  const pending = new Map(
    deferred.map((fragment) => {
      // A nested fragment's block starts within its parent's: asked for once the parent's payload went out.
      const ready = Promise.resolve(fragment.parent ? sent.get(fragment.parent) : undefined)
        .then(() => input.runs.done(fragment.id))
        .then((run) => ({ fragment, run }));
      return [fragment.id, ready] as const;
    }),
  );
  while (pending.size > 0) {
    const { fragment, run } = await Promise.race(pending.values());
    pending.delete(fragment.id);
    const incremental = itemsOf(input, fragment, run, delivered, shape);
    markSent.get(fragment.id)!();
    // A fragment with no object to apply to (its parent null, its type condition unmet) sends nothing, unless it is the last.
    if (incremental.length > 0 || pending.size === 0) yield { incremental, hasNext: pending.size > 0 };
  }
}

function itemsOf(input: IncrementalWrite, fragment: DeferredFragment, run: PlanResult | undefined, delivered: Data | null, base: ReturnType<typeof compileShape>): IncrementalItem[] {
  const { schema, execution, renames, budget } = input;
  const blockErrors = run?.errors ?? [];
  const label = input.labels.get(fragment.id);
  const node = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '' }, selectionSet: fragment.selectionSet } as FieldNode;
  const items: IncrementalItem[] = [];
  const explained = explainedBy([...execution.errors, ...blockErrors], execution.failed);
  for (const target of targets(schema, schema.getRootType(input.operation.operation)!, fragment.paths, execution.data, delivered, renames)) {
    const written = writeObjectAt(base, target.value, target.runtime, { nodes: [node], byType: new Map() }, target.path, {
      // A fragment deferred at the root may hold `__schema` or `__type`, answered by graphql-js with the rest.
      introspection: target.path.length === 0 ? input.introspection : undefined,
      escapes: true,
      explained,
      refused: execution.refused,
      maxBytes: budget ? budget.limit - budget.written : undefined,
    });
    if ('tooLarge' in written) {
      const message = `The answer is larger than this gateway's limit of ${budget!.limit} bytes: ask for fewer fields or fewer items.`;
      items.push({ data: 'null', path: target.path, ...(label === undefined ? {} : { label }), errors: [new GraphQLError(message, { path: target.path, extensions: { code: 'RESPONSE_TOO_LARGE' } })] });
      continue;
    }
    if (budget) budget.written += written.bytes;
    const data = JSON.parse(written.data) as Data | null;
    if (data) Object.assign(target.holder, data);
    const errors = renames ? written.errors.map((error) => renamed(error, renames)) : written.errors;
    items.push({ data: written.data, path: target.path, ...(label === undefined ? {} : { label }), ...(errors.length > 0 ? { errors } : {}) });
  }
  // The block's own errors (its fetches') go with the first item they fall under, or the first item.
  for (const error of blockErrors.map((each) => (renames ? renamed(each, renames) : each))) {
    const item = items.find((each) => error.path && each.path.every((step, index) => error.path![index] === step)) ?? items[0];
    if (item) (item.errors ??= []).push(error);
  }
  return items;
}

type Target = { value: Data; runtime: Runtime; path: (string | number)[]; holder: Data };

/**
 * The objects a deferred fragment applies to: along each of its paths in
 * the merged data, through lists, where the client's payloads so far hold an
 * object (not one a null replaced), and whose runtime type meets each type
 * condition on the way.
 */
function targets(schema: GraphQLSchema, root: GraphQLCompositeType, paths: readonly Step[][], data: Data, delivered: Data | null, renames: ReadonlyMap<string, string> | undefined): Target[] {
  const found: Target[] = [];
  const seen = new Set<string>();
  const visit = (steps: readonly Step[], at: number, value: unknown, shown: unknown, type: GraphQLCompositeType, path: (string | number)[]): void => {
    if (value === null || value === undefined || shown === null || typeof shown !== 'object') return;
    if (Array.isArray(value)) {
      if (!Array.isArray(shown)) return;
      value.forEach((item, index) => visit(steps, at, item, shown[index], type, [...path, index]));
      return;
    }
    const object = value as Data;
    const runtime = runtimeOf(schema, object, type);
    if (at === steps.length) {
      const key = JSON.stringify(path);
      if (!seen.has(key)) {
        seen.add(key);
        found.push({ value: object, runtime, path, holder: shown as Data });
      }
      return;
    }
    const step = steps[at]!;
    if ('on' in step) {
      const condition = schema.getType(step.on);
      if (condition && isCompositeType(condition) && applies(schema, condition, runtime)) visit(steps, at + 1, value, shown, condition, path);
      return;
    }
    const definition = 'getFields' in runtime.type ? runtime.type.getFields()[step.field] : undefined;
    const responseName = renames?.get(step.key) ?? step.key;
    const fieldType = definition ? getNamedType(definition.type) : undefined;
    if (!fieldType || !isCompositeType(fieldType)) return;
    visit(steps, at + 1, object[step.key], (shown as Data)[responseName], fieldType, [...path, responseName]);
  };
  for (const steps of paths) visit(steps, 0, data, delivered, root, []);
  return found;
}

/** The object's type from its `__typename`, or the static type when it has none (then fragments apply as the writer applies them). */
function runtimeOf(schema: GraphQLSchema, value: Data, type: GraphQLCompositeType): Runtime {
  const named = typeof value.__typename === 'string' ? schema.getType(value.__typename) : undefined;
  return named && isCompositeType(named) ? { type: named, known: true } : { type, known: false };
}

function applies(schema: GraphQLSchema, condition: GraphQLCompositeType, runtime: Runtime): boolean {
  if (condition === runtime.type) return true;
  if (!runtime.known) return true;
  return isAbstractType(condition) && isObjectType(runtime.type) && schema.isSubType(condition, runtime.type);
}
