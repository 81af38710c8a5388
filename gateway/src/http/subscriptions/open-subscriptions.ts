/**
 * Every subscription open on this gateway process, whatever carries it
 * (graphql-ws, SSE, multipart): what shutdown ends with "going away" so that
 * clients reconnect to another instance, and what the metrics count.
 */
export type OpenSubscriptions = {
  /** Registers an open subscription; `goAway` ends it for a shutdown. Returns what to call once it has ended. */
  add(goAway: () => void): () => void;
  /** Ends every open subscription, and refuses those that start from now on. */
  goAway(): void;
  /** Whether the process is shutting down: a new subscription is refused. */
  readonly goingAway: boolean;
  readonly size: number;
};

export function createOpenSubscriptions(): OpenSubscriptions {
  const open = new Set<() => void>();
  let goingAway = false;
  return {
    add(goAway) {
      open.add(goAway);
      return () => open.delete(goAway);
    },
    goAway() {
      goingAway = true;
      for (const end of [...open]) end();
      open.clear();
    },
    get goingAway() {
      return goingAway;
    },
    get size() {
      return open.size;
    },
  };
}

/** Clients reconnect when told the gateway is going away (WebSocket close 1001, graphql-ws's default retry). */
export const GOING_AWAY_MESSAGE = 'The gateway is shutting down: reconnect to continue the subscription.';
