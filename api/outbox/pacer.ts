/**
 * Paces sends to a rate: each send gets the next free slot `1000 / rate` ms after the
 * previous one, so no window of a second ever holds more than the rate (a token bucket's
 * bursts would — and platforms that count in sliding windows answer them with 429).
 * Slots are kept a little under the nominal rate (`HEADROOM`) to absorb network jitter.
 * `pause(ms)` holds everything back (the platform answered 429 retry_after).
 */
export const HEADROOM = 0.95;

export class Pacer {
  #next = 0;
  readonly #interval: number;

  constructor(ratePerSecond: number) {
    this.#interval = 1000 / (ratePerSecond * HEADROOM);
  }

  async acquire(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#interval;
    if (at > now) await sleep(at - now);
  }

  pause(ms: number) {
    this.#next = Math.max(this.#next, Date.now() + ms);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
