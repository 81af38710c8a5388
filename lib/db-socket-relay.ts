import type { SessionNotification, SessionNotifications } from './db-notifications.js';

/**
 * What a Postgres server does for LISTEN and PGlite's socket server does not:
 * deliver a notification to every client connection listening on its channel.
 * The embedded database is one session, so Postgres itself puts a NOTIFY's
 * NotificationResponse only in the answer of the client that committed it.
 * The relay reads each client's messages for LISTEN/UNLISTEN, reads each
 * answer for NotificationResponses (handing them to the session's hub, so this
 * process's listeners hear them too), and writes each notification to the
 * clients listening on its channel, as a server would between their messages.
 */
export class NotificationRelay {
  /** Listening clients by channel: each one's way to write to its socket. */
  readonly #listening = new Map<string, Map<number, (data: Uint8Array) => void>>();
  readonly #scanners = new Map<number, AnswerScanner>();
  readonly #session: SessionNotifications;
  readonly #unsubscribe: () => void;

  constructor(session: SessionNotifications) {
    this.#session = session;
    this.#unsubscribe = session.subscribe((notification) => this.#deliver(notification));
  }

  /** A message from client `handlerId`, about to run; `write` sends to its socket. */
  sent(handlerId: number, message: Uint8Array, write: (data: Uint8Array) => void): void {
    const command = listenCommand(message);
    if (!command) return;
    if (command.channel === '*') {
      for (const clients of this.#listening.values()) clients.delete(handlerId);
      return;
    }
    let clients = this.#listening.get(command.channel);
    if (command.listen) {
      if (!clients) this.#listening.set(command.channel, (clients = new Map()));
      clients.set(handlerId, write);
    } else {
      clients?.delete(handlerId);
    }
  }

  /** Part of the answer to client `handlerId`'s message. */
  received(handlerId: number, data: Uint8Array): void {
    let scanner = this.#scanners.get(handlerId);
    if (!scanner) {
      scanner = new AnswerScanner((channel, payload) => this.#session.emit({ channel, payload, from: handlerId }));
      this.#scanners.set(handlerId, scanner);
    }
    scanner.push(data);
  }

  forget(handlerId: number): void {
    this.#scanners.delete(handlerId);
    for (const clients of this.#listening.values()) clients.delete(handlerId);
  }

  stop(): void {
    this.#unsubscribe();
  }

  #deliver({ channel, payload, from }: SessionNotification): void {
    const clients = this.#listening.get(channel);
    if (!clients?.size) return;
    const message = notificationResponse(channel, payload);
    for (const [handlerId, write] of clients) if (handlerId !== from) write(message);
  }
}

const QUERY = 0x51;
const PARSE = 0x50;
const NOTIFICATION_RESPONSE = 0x41;
/** LISTEN or UNLISTEN, alone in its statement: a quoted name, a bare one (folded to lower case, as Postgres does), or `*`. */
const LISTEN = /^\s*(un)?listen\s+(?:"((?:[^"]|"")+)"|([a-z_][\w$]*)|(\*))\s*;?\s*$/i;

/** The LISTEN or UNLISTEN a simple Query or a Parse message carries, if any. */
export function listenCommand(message: Uint8Array): { listen: boolean; channel: string } | undefined {
  const type = message[0];
  if (type !== QUERY && type !== PARSE) return undefined;
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  let start = 5;
  // Parse: the statement's name, then its text.
  if (type === PARSE) start = bytes.indexOf(0, start) + 1;
  const end = bytes.indexOf(0, start);
  if (start <= 0 || end < 0 || end - start > 1024) return undefined;
  const found = LISTEN.exec(bytes.toString('utf8', start, end));
  if (!found) return undefined;
  const channel = found[2]?.replace(/""/g, '"') ?? found[3]?.toLowerCase() ?? '*';
  return { listen: !found[1], channel };
}

/** A NotificationResponse, as a server writes it: 'A', length, the sender's pid (none here), channel, payload. */
export function notificationResponse(channel: string, payload: string): Uint8Array {
  const channelBytes = Buffer.from(`${channel}\0`);
  const payloadBytes = Buffer.from(`${payload}\0`);
  const message = Buffer.alloc(1 + 4 + 4 + channelBytes.length + payloadBytes.length);
  message[0] = NOTIFICATION_RESPONSE;
  message.writeInt32BE(message.length - 1, 1);
  message.writeInt32BE(0, 5);
  channelBytes.copy(message, 9);
  payloadBytes.copy(message, 9 + channelBytes.length);
  return message;
}

/**
 * Finds the NotificationResponses in a stream of backend messages cut at any
 * byte: every other message is skipped by its length, without copying.
 */
class AnswerScanner {
  /** Bytes of the current message's header (type and length) seen so far. */
  readonly #header = Buffer.alloc(5);
  #headerBytes = 0;
  /** Bytes of the current message's body still to come. */
  #remaining = 0;
  /** The body of a NotificationResponse being read; undefined for a message skipped. */
  #body: Buffer[] | undefined;
  readonly #found: (channel: string, payload: string) => void;

  constructor(found: (channel: string, payload: string) => void) {
    this.#found = found;
  }

  push(data: Uint8Array): void {
    let at = 0;
    while (at < data.length) {
      if (this.#remaining === 0 && this.#headerBytes < 5) {
        const take = Math.min(5 - this.#headerBytes, data.length - at);
        this.#header.set(data.subarray(at, at + take), this.#headerBytes);
        this.#headerBytes += take;
        at += take;
        if (this.#headerBytes < 5) return;
        this.#remaining = this.#header.readInt32BE(1) - 4;
        this.#body = this.#header[0] === NOTIFICATION_RESPONSE ? [] : undefined;
        if (this.#remaining > 0) continue;
      }
      const take = Math.min(this.#remaining, data.length - at);
      this.#body?.push(Buffer.from(data.subarray(at, at + take)));
      this.#remaining -= take;
      at += take;
      if (this.#remaining === 0) this.#endMessage();
    }
  }

  #endMessage(): void {
    const body = this.#body && Buffer.concat(this.#body);
    this.#headerBytes = 0;
    this.#body = undefined;
    if (!body) return;
    const channelEnd = body.indexOf(0, 4);
    const payloadEnd = body.indexOf(0, channelEnd + 1);
    if (channelEnd < 0 || payloadEnd < 0) return;
    this.#found(body.toString('utf8', 4, channelEnd), body.toString('utf8', channelEnd + 1, payloadEnd));
  }
}
