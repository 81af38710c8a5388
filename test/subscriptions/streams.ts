/**
 * A subscription over one of the HTTP streaming protocols, read as raw text:
 * what a test needs to see exactly how the stream ends (a last part, or no
 * `complete` event), which the clients turn into a retry or an error.
 */
export type RawStream = {
  status: number;
  text(): string;
  /** Resolves with the whole body once the server ends the response. */
  ended: Promise<string>;
  abort(): void;
};

export const MULTIPART = 'multipart/mixed;subscriptionSpec="1.0", application/json';
export const EVENT_STREAM = 'text/event-stream';

export async function openStream(url: string, accept: string, query: string, variables: Record<string, unknown> = {}): Promise<RawStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  let text = '';
  const decoder = new TextDecoder();
  const ended = (async () => {
    for await (const chunk of response.body! as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    return text;
  })();
  // An aborted read is the test's own doing, not a failure.
  ended.catch(() => {});
  return { status: response.status, text: () => text, ended, abort: () => controller.abort() };
}
