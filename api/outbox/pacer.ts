/**
 * Waiting. The pacing itself — each send takes the next slot `1000 / rate` ms after the
 * previous one, so no window of a second holds more than the rate (a token bucket's bursts
 * would, and platforms that count in sliding windows answer them with 429) — lives in the
 * database (api/outbox/repository.ts, takeSendSlots), shared by every worker process.
 */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
