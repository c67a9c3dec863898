/**
 * A token bucket: `ratePerSecond` tokens a second, bursts up to one second's worth.
 * `pause(ms)` empties it for a while (the platform answered 429 retry_after).
 */
export class TokenBucket {
  #tokens: number;
  #last = Date.now();
  #pausedUntil = 0;

  constructor(private readonly ratePerSecond: number, private readonly burst = Math.max(1, ratePerSecond)) {
    this.#tokens = 0;
  }

  /** Milliseconds until a token is available (0 when one was taken now). */
  take(now = Date.now()): number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.ratePerSecond) * 1000);
  }

  async acquire(): Promise<void> {
    for (let wait = this.take(); wait > 0; wait = this.take()) await sleep(wait);
  }

  pause(ms: number, now = Date.now()) {
    this.#pausedUntil = Math.max(this.#pausedUntil, now + ms);
    this.#tokens = 0;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
