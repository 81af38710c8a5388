import type { IncomingMessage } from 'node:http';

/** A request body over the limit; answer 413 (and close the connection). */
export class BodyTooLarge extends Error {}

/** A request body still unfinished after its time; answer 408 (and close the connection). */
export class BodyTimeout extends Error {}

/**
 * Reads a request body of at most `limit` bytes, refusing larger ones without
 * buffering them, and, given `timeoutMs`, bodies not complete that long after
 * reading starts (a client sending a byte at a time holds a socket otherwise).
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return tooLarge(req, declared, reject);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop keeping it, but keep the socket: the 413 still has to be written.
        req.off('data', onData);
        clearTimeout(timer);
        tooLarge(req, declared, reject);
      } else chunks.push(chunk);
    };
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            // Read no more of it: the 408 goes out with `connection: close`, and the socket with it.
            req.off('data', onData);
            req.pause();
            settle(new BodyTimeout());
          }, timeoutMs).unref();
    const settle = (error?: unknown) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    req.on('data', onData);
    req.on('end', () => settle());
    req.on('error', settle);
  });
}

/** A body too large is still read (and dropped) up to this many bytes, for at most DRAIN_MS, before the 413. */
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 2_000;

/**
 * Refuses a body over the limit. A client is usually still sending it: were
 * the 413 written and the connection closed at once, the unread bytes would
 * reset the connection and the client would see a broken pipe instead of the
 * answer. So a body of at most DRAIN_BYTES is read to its end and dropped,
 * within DRAIN_MS, before refusing; a larger one is refused at once.
 */
function tooLarge(req: IncomingMessage, declared: number, reject: (error: unknown) => void): void {
  if (!(declared <= DRAIN_BYTES) || req.readableEnded) return reject(new BodyTooLarge());
  let dropped = 0;
  const done = () => {
    clearTimeout(timer);
    req.off('data', drop);
    req.off('end', done);
    req.off('error', done);
    req.pause();
    reject(new BodyTooLarge());
  };
  const drop = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) done();
  };
  const timer = setTimeout(done, DRAIN_MS).unref();
  req.on('data', drop);
  req.once('end', done);
  req.once('error', done);
  req.resume();
}
