import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { SubsequentPayload } from '#gateway/execution/executor.js';
import { withRequestId } from './outcome.js';
import type { Answer, AnswerPart } from './stage.js';

/**
 * The payloads after an answer's first (`@defer`), as the JSON text of each
 * part: every item through the `onAnswer` stages as a plain answer goes
 * (authorization puts its nulls and errors inside deferred fragments too),
 * each error formatted as a plain answer's is, with the request id.
 */
export async function* subsequentParts(
  payloads: AsyncIterable<SubsequentPayload>,
  shape: (answer: Answer) => Answer | undefined,
  format: (errors: readonly GraphQLError[]) => GraphQLFormattedError[],
  requestId: string,
): AsyncGenerator<string> {
  for await (const payload of payloads) {
    const items = payload.incremental.map((item) => {
      const errors = format(item.errors ?? []);
      const shaped = shape(partAnswer(item.data, errors, { path: item.path, ...(item.label === undefined ? {} : { label: item.label }) }));
      const data = shaped ? JSON.stringify(shaped.data ?? null) : item.data;
      // Errors a stage added get the request id too, as in a plain answer.
      const shown = shaped ? (withRequestId(shaped, requestId).errors ?? []) : errors;
      const label = item.label === undefined ? '' : `"label":${JSON.stringify(item.label)},`;
      return `{${label}"data":${data},"path":${JSON.stringify(item.path)}${shown.length > 0 ? `,"errors":${JSON.stringify(shown)}` : ''}}`;
    });
    // A payload with nothing to deliver (the fragment's parent was null) only closes the answer, as Apollo Router's `{"hasNext":false}`.
    yield items.length > 0 ? `{"hasNext":${payload.hasNext},"incremental":[${items.join(',')}]}` : `{"hasNext":${payload.hasNext}}`;
  }
}

/** An item's answer for the stages: its data parsed only if a stage reads it. */
function partAnswer(text: string, errors: GraphQLFormattedError[], part: AnswerPart): Answer {
  let data: Record<string, unknown> | null | undefined;
  let parsed = false;
  return {
    get data() {
      if (!parsed) {
        parsed = true;
        data = JSON.parse(text) as Record<string, unknown> | null;
      }
      return data;
    },
    ...(errors.length ? { errors } : {}),
    part,
  };
}
