import type { Outcome } from '#gateway/pipeline/outcome.js';
import type { Encoder } from './encoder.js';

/** Apollo Router's boundary and header for `@defer` answers, which Apollo Client 4 and GraphiQL read. */
const BOUNDARY = 'graphql';
const PART_HEAD = '\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';
const DELIMITER = `\r\n--${BOUNDARY}`;

/**
 * `@defer`'s answers as `multipart/mixed` parts (deferSpec=20220824), the
 * bytes Apollo Router writes: the first part as soon as the non-deferred
 * fields are ready, flushed, then one part per subsequent payload, each
 * `{"hasNext":...,"incremental":[...]}`, then the closing delimiter. An
 * answer with nothing deferred is not written here: the answer writer
 * (encoder.ts) writes it in the JSON type the client accepts.
 */
export const multipartDefer: Encoder = {
  contentType: `multipart/mixed;boundary="${BOUNDARY}";deferSpec=20220824`,
  incremental: true,
  write(res, outcome, status, headers) {
    const one = outcome as Outcome;
    const subsequent = one.subsequent!;
    res.writeHead(status, { 'content-type': this.contentType, 'cache-control': 'no-cache', ...headers });
    const first = one.text ?? JSON.stringify(one.body);
    res.write(`${DELIMITER}${PART_HEAD}${first.slice(0, -1)}${first.length > 2 ? ',' : ''}"hasNext":true}${DELIMITER}`);
    void writeRest(res, subsequent);
  },
};

async function writeRest(res: import('node:http').ServerResponse, subsequent: AsyncIterable<string>): Promise<void> {
  const iterator = subsequent[Symbol.asyncIterator]();
  // A client that goes away stops the rest: no payload is written to a closed socket.
  const stop = () => void iterator.return?.();
  res.once('close', stop);
  let closed = false;
  try {
    for (let next = await iterator.next(); !next.done && !res.destroyed; next = await iterator.next()) {
      closed = next.value.startsWith('{"hasNext":false');
      res.write(`${PART_HEAD}${next.value}${closed ? `${DELIMITER}--\r\n` : DELIMITER}`);
    }
    // Payloads that ended without saying so still end the answer as a client expects.
    if (!closed && !res.destroyed) res.write(`${PART_HEAD}{"hasNext":false}${DELIMITER}--\r\n`);
  } catch {
    // A failure after the first part cannot change the status: the answer ends with what was sent, the client sees it incomplete.
    res.destroy();
    return;
  } finally {
    res.off('close', stop);
  }
  res.end();
}
