import type { Logger } from '#lib/logger.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export type CircuitBreakerOptions = {
  /** The subgraph guarded, for the log. */
  name: string;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit fails fetches before letting one trial through. */
  resetMs: number;
  logger: Logger;
  /** The clock, injectable so tests need not wait. */
  now?: () => number;
};

/** Leave to make one fetch; report how it went, exactly once. */
export type CircuitPermit = {
  /** The subgraph answered. */
  succeeded(): void;
  /** The subgraph failed: down, slow, or answering garbage. */
  failed(): void;
  /** The outcome says nothing about the subgraph (the caller gave up first). */
  abandoned(): void;
};

/**
 * Stops sending fetches to a subgraph that keeps failing, so a dead one costs
 * a client nothing (no connect, no timeout) and a struggling one gets room to
 * recover. closed → `failureThreshold` consecutive failures → open for
 * `resetMs` → half-open: one trial fetch, concurrent ones still refused →
 * closed on success, open again on failure.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  /** Bumped on every change of state, so outcomes of fetches let through before it are ignored. */
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** An open circuit turns half-open on the first fetch after resetMs, not on its own. */
  get state(): CircuitState {
    return this.current;
  }

  /** A permit to fetch, or undefined when the fetch must fail fast. */
  admit(): CircuitPermit | undefined {
    if (this.current === 'closed') return this.closedPermit();
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.resetMs) {
      this.transition('half-open');
    }
    if (this.current === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return this.trialPermit();
    }
    return undefined;
  }

  private closedPermit(): CircuitPermit {
    return new ClosedPermit(this, this.generation);
  }

  /** A fetch admitted while closed succeeded (ClosedPermit): the count of failures in a row starts again. */
  closedFetchSucceeded(generation: number): void {
    if (generation === this.generation) this.failures = 0;
  }

  /** A fetch admitted while closed failed (ClosedPermit): enough in a row open the circuit. */
  closedFetchFailed(generation: number): void {
    if (generation !== this.generation) return;
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.open();
  }

  private trialPermit(): CircuitPermit {
    const generation = this.generation;
    const current = (act: () => void) => () => {
      if (generation === this.generation) act();
    };
    return once({
      succeeded: current(() => {
        this.transition('closed');
        this.options.logger.info({ subgraph: this.options.name }, 'subgraph circuit closed: trial fetch succeeded');
      }),
      failed: current(() => this.open()),
      abandoned: current(() => {
        this.trialInFlight = false;
      }),
    });
  }

  private open(): void {
    const after = this.current === 'half-open' ? 'trial fetch failed' : `${this.failures} consecutive failures`;
    this.transition('open');
    this.openedAt = this.now();
    this.options.logger.warn(
      { subgraph: this.options.name, resetMs: this.options.resetMs },
      `subgraph circuit opened: ${after}`,
    );
  }

  private transition(state: CircuitState): void {
    this.current = state;
    this.failures = 0;
    this.trialInFlight = false;
    this.generation += 1;
  }
}

/**
 * The permit of every fetch while the circuit is closed, the common case:
 * one small object per fetch. Its first report counts, later ones do nothing.
 */
class ClosedPermit implements CircuitPermit {
  private used = false;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly generation: number,
  ) {}

  succeeded(): void {
    if (this.used) return;
    this.used = true;
    this.breaker.closedFetchSucceeded(this.generation);
  }

  failed(): void {
    if (this.used) return;
    this.used = true;
    this.breaker.closedFetchFailed(this.generation);
  }

  abandoned(): void {
    this.used = true;
  }
}

/** A permit whose first report counts and later ones do nothing. */
function once(permit: CircuitPermit): CircuitPermit {
  let used = false;
  const guard = (report: () => void) => () => {
    if (used) return;
    used = true;
    report();
  };
  return { succeeded: guard(permit.succeeded), failed: guard(permit.failed), abandoned: guard(permit.abandoned) };
}
