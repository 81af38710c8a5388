import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import type { ServedAddress } from './db-lock.js';
import { sessionNotifications } from './db-notifications.js';
import { NotificationRelay } from './db-socket-relay.js';

/**
 * Serves the embedded database of this process to other processes, as a
 * Postgres server would, on a Unix socket (or a TCP port on 127.0.0.1 when the
 * socket's path is too long for one): `junction api-key`, `npm run db:migrate`,
 * a subgraph started on its own connect to it with postgres.js.
 *
 * PGlite is one Postgres session. @electric-sql/pglite-socket's handler speaks
 * the wire protocol to each client; which client's message runs when is
 * decided here (SessionQueue), not by the package's own multiplexer: that one
 * switches clients between any two messages outside a transaction block (so
 * one client's Parse could land between another's Parse and Sync), and it
 * does not stop this process's own queries from running inside a client's
 * transaction, or a client's statements inside one of ours. Nor does it
 * deliver notifications to clients that LISTEN: NotificationRelay does.
 */

/** Longest Unix socket path that fits in every platform's sockaddr_un (104 bytes on macOS, 108 on Linux, with the NUL). */
const MAX_SOCKET_PATH = 103;
/** Clients at once; each is one socket and a few KB. */
const MAX_CONNECTIONS = 64;
/**
 * How long a client may keep the session in the middle of its work while
 * sending nothing (a psql left at BEGIN, a process stopped): everyone else,
 * this process's own requests included, waits meanwhile. It is then
 * disconnected and its work rolled back, as Postgres's
 * idle_in_transaction_session_timeout does.
 */
const IDLE_IN_UNIT_MS = 60_000;

export type SocketServer = {
  address: ServedAddress;
  /** Disconnects every client (rolling back what each left open) and stops listening. */
  stop(): Promise<void>;
};

type QueryQueue = PGLiteSocketHandlerOptions['queryQueue'];
type Entry = {
  handlerId: number;
  /** A protocol message; none: the client is gone, and whatever it left open is to be rolled back. */
  message?: Uint8Array;
  onData?: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
};

/** Messages after which the server says ReadyForQuery: Sync, Query, FunctionCall, PasswordMessage, CopyDone, CopyFail, and the startup packet. */
const ENDS_WITH_READY = new Set([0x53, 0x51, 0x46, 0x70, 0x63, 0x66]);
const TERMINATE = 0x58;
const READY_FOR_QUERY = 0x5a;
const IDLE = 0x49;

/**
 * Gives the session to one client at a time, for a whole unit of work: from
 * its first message until the server is ready for a query outside any
 * transaction (ReadyForQuery 'I'): an extended-protocol batch up to its Sync,
 * or a transaction up to its COMMIT or ROLLBACK. For that time it also holds
 * PGlite's transaction lock, the one this process's own queries and
 * transactions take (drizzle-orm/pglite calls query() and transaction()), so
 * neither side runs inside the other's work.
 */
class SessionQueue {
  readonly #pglite: PGlite;
  readonly #queue: Entry[] = [];
  /** The client whose unit is open, and the release of PGlite's transaction lock it holds. */
  #owner: { handlerId: number; release: () => void } | undefined;
  #running: Entry | undefined;
  #pumping = false;
  /** Armed while the owner of an open unit has sent nothing more. */
  #idle: NodeJS.Timeout | undefined;
  readonly #disconnect: (handlerId: number) => void;
  readonly #relay: NotificationRelay;

  constructor(pglite: PGlite, relay: NotificationRelay, disconnect: (handlerId: number) => void) {
    this.#pglite = pglite;
    this.#relay = relay;
    this.#disconnect = disconnect;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject });
      void this.#pump();
    });
  }

  clearQueueForHandler(handlerId: number): void {
    this.#relay.forget(handlerId);
    for (let index = this.#queue.length - 1; index >= 0; index--) {
      const entry = this.#queue[index]!;
      if (entry.handlerId !== handlerId || !entry.message) continue;
      this.#queue.splice(index, 1);
      entry.reject(new Error('Handler disconnected'));
    }
  }

  /**
   * A client left: once its turn comes, what it left open is rolled back and
   * the session is free again. Never rejects: the handler's callers do not
   * catch, and a PGlite that failed says so to the next statement anyway.
   */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#owner?.handlerId !== handlerId && this.#running?.handlerId !== handlerId) return Promise.resolve();
    return new Promise((resolve) => {
      this.#queue.push({ handlerId, resolve: () => resolve(), reject: () => resolve() });
      void this.#pump();
    });
  }

  /** The next entry to run: the owner's while a unit is open, else the first. */
  #next(): Entry | undefined {
    const owner = this.#owner?.handlerId;
    const index = owner === undefined ? 0 : this.#queue.findIndex((entry) => entry.handlerId === owner);
    return index === -1 ? undefined : this.#queue.splice(index, 1)[0];
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let entry = this.#next(); entry; entry = this.#next()) {
        clearTimeout(this.#idle);
        this.#idle = undefined;
        this.#running = entry;
        try {
          entry.resolve(await this.#run(entry));
        } catch (error) {
          entry.reject(error as Error);
        }
      }
    } finally {
      this.#running = undefined;
      this.#pumping = false;
    }
    const owner = this.#owner?.handlerId;
    if (owner !== undefined && !this.#idle) {
      this.#idle = setTimeout(() => this.#disconnect(owner), IDLE_IN_UNIT_MS);
      this.#idle.unref();
    }
  }

  async #run({ handlerId, message, onData }: Entry): Promise<number> {
    if (!message) {
      if (this.#owner?.handlerId === handlerId) await this.#pglite.runExclusive(() => this.#abandon());
      return 0;
    }
    // A client saying goodbye: its socket closes next, and the close ends its unit if one is open.
    if (message[0] === TERMINATE) return 0;
    if (!this.#owner) this.#owner = { handlerId, release: await holdTransactionLock(this.#pglite) };
    if (onData) this.#relay.sent(handlerId, message, onData);
    // The last 6 bytes of the answer: a ReadyForQuery ('Z', length 5, status) when it ends one.
    const tail = new Uint8Array(6);
    let bytes = 0;
    try {
      await this.#pglite.runExclusive(() =>
        this.#pglite.execProtocolRawStream(message, {
          onRawData: (data) => {
            keepTail(tail, data);
            this.#relay.received(handlerId, data);
            bytes += data.length;
            onData?.(data);
          },
        }),
      );
    } catch (error) {
      await this.#pglite.runExclusive(() => this.#abandon());
      throw error;
    }
    const startup = message[0] === 0;
    if ((startup || ENDS_WITH_READY.has(message[0]!)) && bytes >= 6 && tail[0] === READY_FOR_QUERY && tail[4] === 5 && tail[5] === IDLE) {
      this.#end();
    }
    return bytes;
  }

  /** Ends the owner's unit as a server ends a lost connection's: the batch closed, its transaction rolled back. */
  async #abandon(): Promise<void> {
    try {
      // Answered to no one: the client is gone.
      await this.#pglite.execProtocolRawStream(SYNC, { onRawData: () => {} });
      if (this.#pglite.isInTransaction()) await this.#pglite.execProtocolRawStream(ROLLBACK, { onRawData: () => {} });
    } finally {
      this.#end();
    }
  }

  #end(): void {
    const owner = this.#owner;
    this.#owner = undefined;
    clearTimeout(this.#idle);
    this.#idle = undefined;
    owner?.release();
  }
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
const ROLLBACK = query('ROLLBACK');

function query(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`);
  const message = Buffer.alloc(5 + body.length);
  message[0] = 0x51;
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

function keepTail(tail: Uint8Array, data: Uint8Array): void {
  if (data.length >= tail.length) {
    tail.set(data.subarray(data.length - tail.length));
  } else {
    tail.copyWithin(0, data.length);
    tail.set(data, tail.length - data.length);
  }
}

/**
 * Takes PGlite's transaction lock, the one query(), exec() and transaction()
 * take, and keeps it until the returned function is called.
 */
function holdTransactionLock(pglite: PGlite): Promise<() => void> {
  return new Promise((held) => {
    void pglite._runExclusiveTransaction(() => new Promise<void>((release) => held(release)));
  });
}

/**
 * Starts serving `pglite` at `socketPath` (a Unix socket only this user may
 * connect to), or on a free TCP port of 127.0.0.1 when that path is too long
 * for a socket, or the platform or the filesystem has none.
 */
export async function serveDatabase(pglite: PGlite, socketPath: string): Promise<SocketServer> {
  const handlers = new Map<number, PGLiteSocketHandler>();
  const relay = new NotificationRelay(sessionNotifications(pglite));
  const sessions = new SessionQueue(pglite, relay, (handlerId) => {
    const handler = handlers.get(handlerId);
    handlers.delete(handlerId);
    void handler?.detach(true);
  });
  // Only a cast gives the handler our queue: the package types its option as its own (unexported) class.
  const queue = sessions as unknown as QueryQueue;
  const server = createServer((socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue: queue, closeOnDetach: true });
    handlers.set(handler.handlerId, handler);
    const forget = () => handlers.delete(handler.handlerId);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => socket.destroy());
  });
  server.maxConnections = MAX_CONNECTIONS;

  let useSocket = process.platform !== 'win32' && Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH;
  if (useSocket) {
    // This process holds the data directory's lock: a socket file there is a dead holder's.
    await rm(socketPath, { force: true });
    // Some filesystems (a shared folder of a VM, some network mounts) cannot hold a socket: TCP then.
    useSocket = await listen(server, socketPath).then(
      () => true,
      () => false,
    );
    // Only this user may connect: PGlite asks no password.
    if (useSocket) {
      await chmod(socketPath, 0o600).catch(async (error: unknown) => {
        await new Promise((closed) => server.close(closed));
        throw error;
      });
    }
  }
  let address: ServedAddress;
  if (useSocket) {
    address = { path: socketPath };
  } else {
    await listen(server, { host: '127.0.0.1', port: 0 });
    const { port } = server.address() as { port: number };
    address = { host: '127.0.0.1', port };
  }

  return {
    address,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers.values()].map((handler) => handler.detach(true)));
      handlers.clear();
      relay.stop();
      await closed;
      if (useSocket) await rm(socketPath, { force: true });
    },
  };
}

function listen(server: Server, where: string | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (typeof where === 'string') server.listen(where, listening);
    else server.listen(where.port, where.host, listening);
  });
}
