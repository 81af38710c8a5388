import { execute, parse, print, visit, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { firstDifference, isCompletionError, nullAtOrAbove } from '../support/compare-answers.js';
import { shapeOf, type GatewayAnswer, type Operation } from '../support/executor-comparison.js';
import {
  aliased,
  canonical,
  CLIENT,
  completionErrorsStockDropped,
  conditionsOfRootFragmentsApplied,
  introspectionOnly,
  introspectionResponseNames,
  plannerGapsReported,
  refusal,
  renamed,
  renamedBack,
  rightOrRefused,
  sameButErrorOrder,
} from './answer-rewrites.js';
import { inSpecOrder } from './spec-order.js';
import { withDeferDirective } from '#gateway/execution/defer/defer-directive.js';

/**
 * Every place where Junction's answer may differ from stock @apollo/gateway's
 * beyond the comparison rule (compare.ts), each with its reason: where the
 * GraphQL spec and stock disagree, or where stock lacks a feature. Keyed by
 * shape and scenario (a hand-written scenario's name, `generated` for
 * generated operations, `*` for both; shape `*` for every shape).
 *
 * A difference says how Junction is judged instead:
 * - `compareWith`: against stock on equivalent supergraphs (the shape's
 *   variants) without the feature stock lacks; any one of them will do. A
 *   scenario's `equivalent` operation, if it has one, is what stock runs there.
 * - `stockOperation`/`stockAnswer`: against stock's answer to an equivalent
 *   operation that steers clear of a stock bug, mapped back.
 * - `accept`: a check of its own, for a difference no answer of stock shows;
 *   it returns what is still wrong, or nothing. Tried when the rule fails.
 * - `instead`: where stock is wrong and no equivalent operation helps, the
 *   right answer: Junction is judged by it alone (stock's is still shown).
 * Nothing here lowers the bar: each is at least as strict as the rule.
 */
export type KnownDifference = {
  shape: string;
  scenario: string;
  reason: string;
  compareWith?: readonly string[];
  stockOperation?: (operation: Operation) => Operation;
  stockAnswer?: (answer: GatewayAnswer) => GatewayAnswer;
  accept?: (junction: GatewayAnswer, stock: GatewayAnswer, context: AcceptContext) => string | undefined | Promise<string | undefined>;
  /**
   * Stock's answer as the spec would have it, where it differs only in a way
   * this difference explains; undefined when it does not apply. Applied to
   * every stock answer before it is compared, so other differences still apply.
   */
  normalize?: (junction: GatewayAnswer, stock: GatewayAnswer, context: AcceptContext) => GatewayAnswer | undefined;
  instead?: (junction: GatewayAnswer) => string | undefined;
};

export type AcceptContext = {
  schema: GraphQLSchema;
  operation: Operation;
  /** Stock's answer to an operation, on the shape's supergraph. */
  stockAnswers(operation: Operation): Promise<GatewayAnswer>;
};

export const knownDifferences: KnownDifference[] = [
  {
    shape: '*',
    scenario: '*',
    reason:
      'Order of fields. The spec (CollectFields) orders an object\'s fields by where each response name first appears in the ' +
      'document, fragments included; stock merges the fragments of one type condition before it orders them, so ' +
      '`{ ... on Book { name } __typename ... on Book { pages } }` answers name, pages, __typename. Junction follows the spec: ' +
      'the same values, each object\'s keys in the spec\'s order, where stock\'s are not.',
    // Stock's data with Junction's order of keys, when the values are the same, Junction's order is the spec's and stock's is not.
    normalize(junction, stock, { schema, operation }) {
      if (junction.data === undefined || stock.data === undefined || junction.data === stock.data) return undefined;
      const [ours, theirs] = [JSON.parse(junction.data) as unknown, JSON.parse(stock.data) as unknown];
      if (canonical(ours) !== canonical(theirs)) return undefined;
      if (!inSpecOrder(schema, operation, ours) || inSpecOrder(schema, operation, theirs)) return undefined;
      return { ...stock, data: junction.data };
    },
  },
  {
    shape: 'override-percent',
    scenario: '*',
    reason:
      'Progressive override: `percent(50)` is drawn per request (as Apollo Router does, issue 12 item 5); stock plans every ' +
      'label as inactive. Junction\'s answer must be stock\'s on the supergraph with the override unconditional (`on`) or ' +
      'absent (`off`).',
    compareWith: ['on', 'off'],
  },
  ...['the overridden fields from the root', 'the overridden fields from the subgraph that took them', 'one item by variable, through a fragment'].map(
    (scenario): KnownDifference => ({
      shape: 'override-label',
      scenario: `${scenario}, with the label active`,
      reason:
        'A custom override label the request makes active (issue 12 item 5); stock plans every label as inactive and cannot be ' +
        'told otherwise. Junction\'s answer must be stock\'s on the supergraph with the override unconditional (`on`).',
      compareWith: ['on'],
    }),
  ),
  {
    shape: 'context',
    scenario: '*',
    reason:
      '@fromContext (issue 12 item 5): stock refuses the supergraph (the context spec is `for: SECURITY`) and ignores the ' +
      'plan\'s contextRewrites. Junction\'s answer must be stock\'s on the supergraph where the contextual arguments are ' +
      'ordinary ones (`plain`), given the value the context holds (in the scenario\'s `equivalent`, or by the resolver\'s default).',
    compareWith: ['plain'],
  },
];

/**
 * Introspection that graphql-js 16.15 (and so the API schema both gateways
 * validate against) has, but stock executes against its own, older
 * introspection types: it answers HTTP 500 for the whole operation. Junction
 * answers as graphql-js does. Generated operations leave these out, so that a
 * 500 from stock hides nothing else; the scenario `introspection stock does not
 * have` (books) checks Junction against graphql-js itself.
 */
export const STOCK_LACKS_INTROSPECTION = [
  '__Type.isOneOf',
  '__Directive.isDeprecated',
  '__Directive.deprecationReason',
  '__Schema.directives(includeDeprecated:)',
] as const;

knownDifferences.push({
  shape: 'books',
  scenario: 'introspection stock does not have',
  reason:
    `Stock's introspection lacks ${STOCK_LACKS_INTROSPECTION.join(', ')} (its own introspection types are older than ` +
    'graphql-js 16.15\'s) and answers 500 INVALID_GRAPHQL; Junction must answer exactly as graphql-js executes the operation against the API schema (with @defer).',
  accept(junction, stock, { schema, operation }) {
    if (stock.status !== 500) return 'stock answered; no difference to explain';
    // The API schema Junction serves: with @defer (issue 16), which stock lacks too.
    const served = withDeferDirective(schema);
    const result = execute({ schema: served, document: parse(operation.query), variableValues: operation.variables ?? {}, operationName: operation.operationName }) as ExecutionResult;
    const expected = { status: 200, data: JSON.stringify(result.data), errors: (result.errors ?? []).map((error) => shapeOf(error.toJSON())), valueCompletion: undefined, extensions: undefined };
    return firstDifference(junction, expected);
  },
});

knownDifferences.push(
  {
    shape: 'interface-objects',
    scenario: '*',
    reason:
      'A value stock cannot complete and drops without a word: an @interfaceObject answer (`__typename: "Account"`) ' +
      'for an account `accounts` does not know, in a non-null position. Stock nulls the nearest nullable parent with no ' +
      'error and no valueCompletion; the spec wants an error at the path. Junction must answer the same data with ' +
      "stock's errors and, besides, completion errors at paths where its data is null.",
    accept: (junction, stock) => completionErrorsStockDropped(junction, stock),
  },
  {
    shape: 'requires-provides',
    scenario: '*',
    reason:
      'A field with different arguments under one response name through @requires (issue 12 item 7): `shippingEstimate` ' +
      'requires `price(currency: "EUR")`, and where the client asks for `price` (another currency) too, stock plans both ' +
      "under the response name `price` and feeds `shippingEstimate` the client's price. Stock answers right when the " +
      "client's `price` has another response name, so stock runs the operation with every `price` aliased " +
      '`price__client`, and its answer is read back under `price`.',
    stockOperation: (operation) => {
      const query = aliased(operation.query, 'price', 'price__client');
      return query === print(parse(operation.query)) ? operation : { ...operation, query };
    },
    stockAnswer: (answer) => renamed(answer, 'price__client', 'price'),
  },
  {
    shape: 'requires-provides',
    scenario: 'two @requires of one field with different arguments',
    reason:
      'Conflicting @requires arguments merged (issue 12 item 7): `shippingEstimate` requires `price(currency: "EUR")` and ' +
      '`importDuty` `price(currency: "GBP")`; stock fetches one price for both. Junction must answer the right data, or ' +
      'refuse the operation with a coded error; never the wrong data.',
    instead: (junction) =>
      rightOrRefused(junction, '{"products":[{"upc":"p1","shippingEstimate":30,"importDuty":3},{"upc":"p2","shippingEstimate":550,"importDuty":60},{"upc":"p3","shippingEstimate":2,"importDuty":0}]}'),
  },
);

knownDifferences.push({
  shape: '*',
  scenario: '*',
  reason:
    'Aliases the query planner collides with (issue 12 item 7): a client alias that is the name of a field the plan adds ' +
    '(a key, a field @requires needs), e.g. `id: title` on an entity keyed by `id`, shares a response name with it in the ' +
    "planner's subgraph operations: stock then sends a subgraph an invalid operation (and answers \"400: Bad Request\"), or " +
    'reads one field for the other (wrong data, or valueCompletion errors for the key). Stock answers right once every ' +
    "alias has a name of its own, so stock runs the operation with each alias `a` renamed `a__client`, read back as `a`. " +
    "Junction must give that answer or, where stock's answer to the operation as written shows the collision, refuse " +
    'it with a coded error (not INTERNAL_SERVER_ERROR).',
  stockOperation: (operation) => {
    const query = print(
      visit(parse(operation.query), {
        Field: (node) =>
          node.alias && node.alias.value !== node.name.value && !node.alias.value.endsWith(CLIENT)
            ? { ...node, alias: { ...node.alias, value: `${node.alias.value}${CLIENT}` } }
            : undefined,
      }),
    );
    return query === print(parse(operation.query)) ? operation : { ...operation, query };
  },
  stockAnswer: (answer) => renamedBack(answer),
  async accept(junction, stock, { operation, stockAnswers }) {
    // Other aliases are other subgraph operations, whose fields (and so errors) the planner may order otherwise.
    if (sameButErrorOrder(junction, stock)) return undefined;
    if (!refusal(junction)) return 'Junction neither answered as stock with its own aliases nor refused';
    const asWritten = await stockAnswers(operation);
    const same = ({ status, data, errors, valueCompletion }: GatewayAnswer) => JSON.stringify({ status, data, errors, valueCompletion });
    return same(stock) !== same(asWritten) ? undefined : 'no collision: stock answers the operation as written the same';
  },
});

knownDifferences.push({
  shape: '*',
  scenario: '*',
  reason:
    'Stock fails the whole operation (HTTP 500 "Was not able to find any options for __schema …") when `__schema` or ' +
    '`__type` is inside a fragment on the root type that has @skip or @include. Stock runs the same operation with ' +
    'those conditions applied (a fragment included loses the directive, one skipped goes), which the spec says is the same.',
  stockOperation: conditionsOfRootFragmentsApplied,
});

knownDifferences.push(
  ...['keys-mashup', 'non-resolvable-interface-object'].map(
    (shape): KnownDifference => ({
      shape,
      scenario: '*',
      reason:
        'A query plan that cannot answer (issue 12 item 7): the planner sends a subgraph an entity by a key it cannot ' +
        'resolve (keys-mashup: `b` is sent `A` by `id`, declared `resolvable: false`), or plans nothing for a field no ' +
        'subgraph can resolve (non-resolvable-interface-object). Stock leaves those fields null, without an error or with ' +
        'a valueCompletion error that hides the cause. Junction must answer the same data, with stock\'s errors and, ' +
        'besides, at least one error coded QUERY_PLAN_INVALID or QUERY_PLAN_EMPTY at a place where its data is null.',
      accept: (junction, stock) => plannerGapsReported(junction, stock),
    }),
  ),
);

knownDifferences.push({
  shape: '*',
  scenario: '*',
  reason:
    'Stock answers only one of several `__schema` (or `__type`) selections under one response name, e.g. ' +
    '`{ ... { __schema { subscriptionType { name } } } __schema { directives { name } } }` gives no `directives`; the ' +
    'spec merges them (CollectFields), as graphql-js does. Junction\'s introspection fields must be what graphql-js ' +
    "answers against the API schema, and the rest stock's answer.",
  // Stock's answer with graphql-js's values for the root's introspection fields, where Junction's are graphql-js's and stock's are not.
  normalize(junction, stock, { schema, operation }) {
    if (junction.status !== 200 || stock.status !== 200 || junction.data === undefined || stock.data === undefined) return undefined;
    const document = parse(operation.query);
    const names = introspectionResponseNames(document, operation.operationName);
    if (names.size === 0) return undefined;
    const result = execute({ schema, document: introspectionOnly(document, schema), variableValues: operation.variables ?? {}, operationName: operation.operationName }) as ExecutionResult;
    const expected = result.data as Record<string, unknown> | null | undefined;
    const [ours, theirs] = [JSON.parse(junction.data) as Record<string, unknown> | null, JSON.parse(stock.data) as Record<string, unknown> | null];
    if (!expected || !ours || !theirs) return undefined;
    const present = [...names].filter((key) => key in ours && key in theirs);
    if (!present.every((key) => JSON.stringify(ours[key]) === JSON.stringify(expected[key]))) return undefined;
    if (present.every((key) => JSON.stringify(theirs[key]) === JSON.stringify(expected[key]))) return undefined;
    for (const key of present) theirs[key] = expected[key];
    return { ...stock, data: JSON.stringify(theirs) };
  },
});

knownDifferences.push({
  shape: '*',
  scenario: '*',
  reason:
    'Junction answers @defer (issue 16), so its API schema declares `directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | ' +
    'INLINE_FRAGMENT` after the directives stock declares, as Apollo Router\'s API schema does; stock @apollo/gateway has no @defer. Its ' +
    'introspection answers are graphql-js\'s on the API schema with that directive, exactly.',
  normalize(junction, stock, { schema, operation }) {
    if (junction.status !== 200 || stock.status !== 200 || junction.data === undefined || stock.data === undefined) return undefined;
    const document = parse(operation.query);
    const names = introspectionResponseNames(document, operation.operationName);
    if (names.size === 0) return undefined;
    const withDefer = withDeferDirective(schema);
    const result = execute({ schema: withDefer, document: introspectionOnly(document, withDefer), variableValues: operation.variables ?? {}, operationName: operation.operationName }) as ExecutionResult;
    const expected = result.data as Record<string, unknown> | null | undefined;
    const [ours, theirs] = [JSON.parse(junction.data) as Record<string, unknown> | null, JSON.parse(stock.data) as Record<string, unknown> | null];
    if (!expected || !ours || !theirs) return undefined;
    const present = [...names].filter((key) => key in ours && key in theirs);
    if (!present.every((key) => JSON.stringify(ours[key]) === JSON.stringify(expected[key]))) return undefined;
    if (present.every((key) => JSON.stringify(theirs[key]) === JSON.stringify(expected[key]))) return undefined;
    for (const key of present) theirs[key] = expected[key];
    return { ...stock, data: JSON.stringify(theirs) };
  },
});

knownDifferences.push({
  shape: '*',
  scenario: '*',
  reason:
    'Completion errors stock drops: stock reports values it cannot complete in extensions.valueCompletion, but not ' +
    'always all of them (e.g. `{ books @skip(if: $no) { shelf } books { author { name } } }` loses the error of an ' +
    "author's missing non-null `name`, which it reports without the @skip). Junction reports every one, as the spec " +
    "says: its errors must be stock's valueCompletion in order, with completion errors of its own between them, each " +
    'where its data is null.',
  accept(junction, stock) {
    if (stock.errors.length > 0 || !Array.isArray(stock.valueCompletion)) return 'stock has errors, or no valueCompletion: the rule applies as it is';
    if (junction.status !== stock.status || junction.data !== stock.data) return 'the data differ';
    const data = junction.data === undefined ? undefined : (JSON.parse(junction.data) as unknown);
    const expected = (stock.valueCompletion as Parameters<typeof shapeOf>[0][]).map(shapeOf);
    let next = 0;
    for (const error of junction.errors) {
      if (next < expected.length && JSON.stringify(error) === JSON.stringify(expected[next])) next++;
      else if (!isCompletionError(error) || !nullAtOrAbove(data, error.path)) return `an error stock does not explain: ${JSON.stringify(error)}`;
    }
    return next === expected.length ? undefined : "Junction lacks some of stock's completion errors";
  },
});

/** The differences that apply to a shape's scenario, the most specific first. */
export function knownDifferencesFor(shape: string, scenario: string): KnownDifference[] {
  const matches = (entry: KnownDifference) =>
    (entry.shape === shape || entry.shape === '*') && (entry.scenario === scenario || entry.scenario === '*');
  const weight = (entry: KnownDifference) => (entry.shape === '*' ? 2 : 0) + (entry.scenario === '*' ? 1 : 0);
  return knownDifferences.filter(matches).sort((a, b) => weight(a) - weight(b));
}

