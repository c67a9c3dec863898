/**
 * Encrypting a ballot is some twenty fixed-base multiplications and their proofs (~1 ms of CPU):
 * on a meeting evening that would hold the event loop that serves every other request. So it
 * can run on a small pool of worker threads (`BALLOT_THREADS`; default the machine's cores less
 * two, at most four — none on a two-core machine, where measured it only added contention with
 * PostgreSQL; 0 encrypts on the event loop). The motion's private key travels to the thread in memory
 * only, as it lives in the service.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ballotTracker, type BallotContext, encryptBallot } from './ballot-crypto.ts';

const BOOT = new URL('./ballot-worker-boot.mjs', import.meta.url);

interface Pending {
  resolve: (v: { ballot: string; tracker: string }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Pending>;
}
let pool: Slot[] | null = null;
let nextId = 1;

let threadCount: number | undefined;
function threads(): number {
  if (threadCount !== undefined) return threadCount;
  const set = process.env.BALLOT_THREADS;
  if (set !== undefined && /^\d+$/.test(set)) threadCount = Math.min(Number(set), 16);
  // Two cores are already shared by the event loop and PostgreSQL: threads only add contention there.
  else threadCount = Math.max(0, Math.min(4, os.availableParallelism() - 2));
  return threadCount;
}

function startPool(): Slot[] {
  const slots = Array.from({ length: threads() }, () => {
    // Nothing of the environment but which libsodium to use (ballot-group.ts): no other secret.
    const { BALLOT_CRYPTO, BALLOT_LIBSODIUM } = process.env;
    const env = Object.fromEntries(Object.entries({ BALLOT_CRYPTO, BALLOT_LIBSODIUM }).filter(([, v]) => v));
    const worker = new Worker(BOOT, { env });
    // A pool that waits for work must not keep the process (or a test) alive.
    worker.unref();
    const slot: Slot = { worker, jobs: new Map() };
    worker.on('message', (m: { id: number; ballot?: string; tracker?: string; error?: string }) => {
      const p = slot.jobs.get(m.id);
      slot.jobs.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve({ ballot: m.ballot!, tracker: m.tracker! });
    });
    // A thread that dies fails its jobs (nothing was written: the member is told to vote again)
    // and the next ballot starts a new pool.
    const fail = () => {
      if (pool === slots) pool = null;
      for (const p of slot.jobs.values()) p.reject(new Error('a ballot encryption thread stopped'));
      slot.jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    return slot;
  });
  return slots;
}

/** Encrypts a ballot marking `marked` (indexes into the context's choices), with its proofs and tracker. */
export function encryptInPool(
  ctx: BallotContext,
  secret: Uint8Array,
  marked: number[],
): Promise<{ ballot: string; tracker: string }> {
  if (threads() === 0) {
    const sealed = encryptBallot(ctx, secret, marked);
    return Promise.resolve({ ballot: JSON.stringify(sealed), tracker: ballotTracker(sealed) });
  }
  pool ??= startPool();
  const slot = pool.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    slot.jobs.set(id, { resolve, reject });
    slot.worker.postMessage({ id, ctx, secret, marked });
  });
}
