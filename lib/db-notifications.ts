import type { PGlite } from '@electric-sql/pglite';

/**
 * Notifications (LISTEN/NOTIFY) of an embedded database, in the process that
 * holds it. PGlite is one Postgres session shared by this process and every
 * client of its socket (lib/db-socket.ts), so a NOTIFY, whoever sends it, comes
 * back once, in the answer to the statement that committed it: to this
 * process's own queries through PGlite's parser (`onNotification`), to a
 * socket client's in its raw answer, which the socket server reads for them
 * (lib/db-socket-relay.ts) and hands here with the client it came from.
 */
export type SessionNotification = {
  channel: string;
  payload: string;
  /** The socket client whose answer carried it, and so has it already; none: this process's own. */
  from?: number;
};

export class SessionNotifications {
  readonly #pglite: PGlite;
  readonly #subscribers = new Set<(notification: SessionNotification) => void>();
  /** This process's listeners, by channel. */
  readonly #channels = new Map<string, Set<(payload: string) => void>>();

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
    pglite.onNotification((channel, payload) => this.emit({ channel, payload }));
  }

  emit(notification: SessionNotification): void {
    for (const listener of this.#channels.get(notification.channel) ?? []) listener(notification.payload);
    for (const subscriber of this.#subscribers) subscriber(notification);
  }

  /** Every notification of the session, whoever it is for (the socket server relays them to its listening clients). */
  subscribe(subscriber: (notification: SessionNotification) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** This process listening on `channel`: the session LISTENs (Postgres sends nothing otherwise), once per channel. */
  async listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    let listeners = this.#channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#channels.set(channel, listeners);
      await this.#pglite.exec(`LISTEN ${quoteIdentifier(channel)}`);
    }
    listeners.add(listener);
    // The session keeps listening: a socket client may listen on the same channel, and an unheard notification costs nothing.
    return async () => void listeners.delete(listener);
  }
}

const sessions = new WeakMap<PGlite, SessionNotifications>();

/** The notifications of `pglite`'s session: one hub per database, made on first use. */
export function sessionNotifications(pglite: PGlite): SessionNotifications {
  let session = sessions.get(pglite);
  if (!session) sessions.set(pglite, (session = new SessionNotifications(pglite)));
  return session;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
