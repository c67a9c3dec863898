/**
 * Throttles for guessing: room check-in codes, chat link codes and API tokens. Counting and
 * blocking are rate-limiter-flexible's (its PostgreSQL store); the counters live in our own
 * database (table throttle_attempts, migration 055), so every service instance on one
 * PostgreSQL shares them, and they work the same on the embedded PGlite.
 *
 * Only failures are counted: a member who types the right code is never slowed down, and a
 * key is refused once it has failed `points` times within `duration` seconds, until the
 * window (or the block) ends. Expired rows are deleted, so the table holds only keys that
 * failed within the last window.
 */
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/connect.ts';
import { AppError } from '../errors.ts';

export interface ThrottleLimit {
  /** Failed attempts allowed within `duration`. */
  points: number;
  /** Window in seconds. */
  duration: number;
  /** Once the limit is passed, refused for this many seconds (0: until the window ends). */
  blockDuration: number;
  /** What is being guessed, for the refusal message ("mã điểm danh"). */
  what: string;
}

/** The limits (stated in the README, "Security" → "Throttles"). */
export const THROTTLES = {
  /** Room check-in codes, per member and meeting: 6 digits cannot be tried from home. */
  checkInCode: { points: 5, duration: 15 * 60, blockDuration: 15 * 60, what: 'mã điểm danh' },
  /** One-time link codes, per chat account (Telegram/Zalo user on one bot), and per member re-linking. */
  linkCodeAccount: { points: 5, duration: 15 * 60, blockDuration: 15 * 60, what: 'mã liên kết' },
  /** One-time link codes, per client address (the web chat, where there is no account yet). */
  linkCodeAddress: { points: 20, duration: 60 * 60, blockDuration: 60 * 60, what: 'mã liên kết' },
  /** Unknown or expired bearer tokens, per client address. */
  bearerToken: { points: 30, duration: 15 * 60, blockDuration: 15 * 60, what: 'mã truy cập' },
} satisfies Record<string, ThrottleLimit>;

export type ThrottleName = keyof typeof THROTTLES;

const TABLE = 'throttle_attempts';
/** Expired rows are deleted at most this often per database (and on every `prune`). */
const PRUNE_EVERY_MS = 60_000;

/** The adapter rate-limiter-flexible's PostgreSQL store calls: `query({ text, values })` → `{ rows, rowCount }`. */
function storeClient(db: Db) {
  return {
    async query(q: { text: string; values?: unknown[] }) {
      const rows = await db.query(q.text, q.values);
      return { rows, rowCount: rows.length };
    },
  };
}

interface PerDb {
  limiters: Map<string, RateLimiterPostgres>;
  lastPrune: number;
}
const byDb = new WeakMap<Db, PerDb>();

function stateFor(db: Db): PerDb {
  let s = byDb.get(db);
  if (!s) {
    s = { limiters: new Map(), lastPrune: Date.now() };
    byDb.set(db, s);
  }
  return s;
}

function limiterFor(db: Db, name: string, limit: ThrottleLimit): RateLimiterPostgres {
  const state = stateFor(db);
  let limiter = state.limiters.get(name);
  if (!limiter) {
    limiter = new RateLimiterPostgres({
      storeClient: storeClient(db),
      storeType: 'client',
      tableName: TABLE,
      tableCreated: true,
      // Our own pruning (below) is tied to the database, not to a timer per limiter.
      clearExpiredByTimeout: false,
      keyPrefix: name,
      points: limit.points,
      duration: limit.duration,
      blockDuration: limit.blockDuration,
    });
    state.limiters.set(name, limiter);
  }
  return limiter;
}

export interface Throttle {
  /**
   * Counts one attempt on each key, atomically in the database, and refuses (429) when a key
   * is past its limit: parallel guesses cannot slip between a check and a count. Call
   * `succeeded` when the attempt was right, so only failures use up the allowance.
   */
  attempt(...keys: string[]): Promise<void>;
  /** Gives back the point `attempt` took: a right answer is not a failure. */
  succeeded(...keys: string[]): Promise<void>;
  /** Refuses (429) when any key is past its limit, without counting (for hot paths). */
  check(...keys: string[]): Promise<void>;
  /** Counts one failure on each key (with `check`, for hot paths). */
  fail(...keys: string[]): Promise<void>;
}

/** The named throttle on this database (`limit` overrides the table above, for tests). */
export function throttle(db: Db, name: ThrottleName | string, limit?: ThrottleLimit): Throttle {
  const rule = limit ?? THROTTLES[name as ThrottleName];
  if (!rule) throw new Error(`unknown throttle ${name}`);
  const limiter = limiterFor(db, name, rule);
  const refuse = (msBeforeNext: number) => {
    const minutes = Math.max(1, Math.ceil(msBeforeNext / 60_000));
    return new AppError(
      'too_many_requests',
      `Bạn đã nhập sai ${rule.what} quá ${rule.points} lần. Vui lòng thử lại sau ${minutes} phút.`,
      { detail: `throttle ${name}`, data: { retryAfterSeconds: Math.ceil(msBeforeNext / 1000) } },
    );
  };
  const consume = async (key: string): Promise<RateLimiterRes | null> => {
    try {
      await limiter.consume(key);
      return null;
    } catch (e) {
      // Passing the limit rejects with the limiter's result; anything else is a real error.
      if (e instanceof RateLimiterRes) return e;
      throw e;
    }
  };
  return {
    async attempt(...keys) {
      let refused: RateLimiterRes | null = null;
      for (const key of keys) refused = (await consume(key)) ?? refused;
      await maybePrune(db);
      if (refused) throw refuse(refused.msBeforeNext);
    },
    async succeeded(...keys) {
      for (const key of keys) await limiter.reward(key, 1);
    },
    async check(...keys) {
      for (const key of keys) {
        const res = await limiter.get(key);
        if (res && res.consumedPoints >= rule.points) throw refuse(res.msBeforeNext);
      }
    },
    async fail(...keys) {
      for (const key of keys) await consume(key);
      await maybePrune(db);
    },
  };
}

async function maybePrune(db: Db) {
  const state = stateFor(db);
  if (Date.now() - state.lastPrune < PRUNE_EVERY_MS) return;
  await pruneThrottles(db);
}

/** Deletes every expired counter; returns how many rows were removed. */
export async function pruneThrottles(db: Db): Promise<number> {
  stateFor(db).lastPrune = Date.now();
  const rows = await db.query(`delete from ${TABLE} where expire is not null and expire < $1 returning 1`, [
    Date.now(),
  ]);
  return rows.length;
}
