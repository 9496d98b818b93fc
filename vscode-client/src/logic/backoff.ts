/** Decides whether and when to restart a server that exited: exponential backoff, then give up. */

export type RestartDecision = { restart: true; delayMs: number; attempt: number } | { restart: false; exits: number };

export interface BackoffOptions {
  /** Exits tolerated inside the window before giving up. */
  maxRestarts: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { maxRestarts: 5, windowMs: 5 * 60_000, baseDelayMs: 1000, maxDelayMs: 30_000 };

export class RestartPolicy {
  private exits: number[] = [];

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** Records an unexpected exit at `now` (ms) and says what to do next. */
  onExit(now: number): RestartDecision {
    this.exits = this.exits.filter((time) => now - time < this.options.windowMs);
    this.exits.push(now);
    const attempt = this.exits.length;
    if (attempt > this.options.maxRestarts) {
      return { restart: false, exits: attempt };
    }
    const delayMs = Math.min(this.options.baseDelayMs * 2 ** (attempt - 1), this.options.maxDelayMs);
    return { restart: true, delayMs, attempt };
  }

  /** Forgets past exits: the user restarted the server or changed its settings. */
  reset(): void {
    this.exits = [];
  }
}
