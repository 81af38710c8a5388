import type { GatewayAnswer } from '../support/executor-comparison.js';
import type { StartedShape } from './harness.js';
import type { Verdict } from './judge.js';

/**
 * A failure as a minimal reproduction: the shape, its supergraph (the file,
 * and the SDL when short), the operation and variables, both answers and the
 * first difference, and how to run it again.
 */
const SHORT_SDL_LINES = 60;

export function reproduction(started: StartedShape, scenario: string, verdict: Verdict, replay?: string): string {
  const lines = started.supergraphSdl.trimEnd().split('\n');
  const sdl = lines.length <= SHORT_SDL_LINES ? `\n${indent(started.supergraphSdl.trimEnd())}` : ` (${lines.length} lines)`;
  const { operation } = verdict;
  return [
    `Conformance failure in shape "${started.shape.name}", ${scenario === 'generated' ? 'a generated operation' : `scenario "${scenario}"`}`,
    `First difference: ${verdict.difference}`,
    `Supergraph: ${started.supergraphPath}${sdl}`,
    'Operation:',
    indent(operation.query.trim()),
    ...(operation.variables && Object.keys(operation.variables).length > 0 ? [`Variables: ${JSON.stringify(operation.variables)}`] : []),
    ...(operation.operationName ? [`Operation name: ${operation.operationName}`] : []),
    ...(operation.overrideLabels ? [`Active override labels: ${operation.overrideLabels.join(', ')}`] : []),
    ...(verdict.stockOperation
      ? [`Stock ran instead:`, indent(verdict.stockOperation.query.trim()), ...(verdict.stockOperation.variables ? [`  with ${JSON.stringify(verdict.stockOperation.variables)}`] : [])]
      : []),
    `Junction: ${shown(verdict.junction)}`,
    `${capitalised(verdict.stockOn)}: ${shown(verdict.stock)}`,
    ...verdict.known.map((known) => `Known difference applied (${known.shape} / ${known.scenario}): ${known.reason}`),
    ...(replay ? [`Replay: ${replay}`] : []),
  ].join('\n');
}

function shown(answer: GatewayAnswer): string {
  const body: Record<string, unknown> = {};
  if (answer.data !== undefined) body.data = '\u0000DATA\u0000';
  if (answer.errors.length > 0) body.errors = answer.errors;
  if (answer.extensions?.valueCompletion !== undefined) body.extensions = { valueCompletion: answer.extensions.valueCompletion };
  // `data` exactly as the gateway wrote it, the order of its keys included.
  return `HTTP ${answer.status} ${JSON.stringify(body).replace('"\\u0000DATA\\u0000"', answer.data ?? '')}`;
}

const indent = (text: string) => text.replace(/^/gm, '  ');
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
