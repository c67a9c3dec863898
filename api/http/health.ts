/**
 * Liveness and readiness, kept apart so that a supervisor and a load balancer act differently:
 *
 * - `/health/live`: the process answers HTTP. It touches no database, so a PostgreSQL failover
 *   never makes systemd or an orchestrator restart a service that would recover by itself.
 * - `/health/ready`: this instance can serve now — the database answers within a short bound
 *   and every migration this code knows is applied. Otherwise 503 with `Retry-After`: HAProxy
 *   or nginx stop sending traffic here until it passes again (e.g. during a Patroni switchover).
 *   The outbox lag (how long the oldest due message has waited) is reported for monitoring but
 *   does not fail readiness: an instance with OUTBOX_WORKER=0 sends nothing, and taking API
 *   instances out while a broadcast drains would only add an outage to a delay.
 *
 * `/health` stays as before (database reachable) for existing checks.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/connect.ts';
import { listMigrations } from '../db/migrate.ts';

const READY_TIMEOUT_MS = 2_000;
const RETRY_AFTER_SECONDS = 5;

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unreachable';
  /** Migrations this code has that the database has not recorded (their names). */
  pendingMigrations: string[];
  /** Seconds the oldest due outbox message has waited; null when unknown. */
  outboxLagSeconds: number | null;
}

export function registerHealth(app: FastifyInstance, db: Db) {
  const known = listMigrations().map((m) => ({ version: m.version, name: m.name }));

  app.get('/health/live', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const state = await checkReadiness(db, known);
    reply.header('cache-control', 'no-store');
    if (!state.ready) reply.status(503).header('retry-after', String(RETRY_AFTER_SECONDS));
    return { status: state.ready ? 'ready' : 'not_ready', ...state };
  });
}

export async function checkReadiness(db: Db, known: { version: number; name: string }[]): Promise<Readiness> {
  try {
    const [applied, lag] = await withTimeout(
      Promise.all([
        db.query<{ version: number }>('select version from schema_migrations'),
        db.query<{ lag: number | null }>(
          `select extract(epoch from now() - min(next_attempt_at))::float8 as lag
             from outbox_messages where status in ('queued', 'sending') and next_attempt_at <= now()`,
        ),
      ]),
      READY_TIMEOUT_MS,
    );
    const have = new Set(applied.map((r) => r.version));
    const pendingMigrations = known.filter((m) => !have.has(m.version)).map((m) => m.name);
    const lagSeconds = lag[0]?.lag;
    return {
      ready: pendingMigrations.length === 0,
      database: 'ok',
      pendingMigrations,
      outboxLagSeconds: lagSeconds == null ? 0 : Math.max(0, Math.round(lagSeconds)),
    };
  } catch (e) {
    // A database without the tables yet (migrations never ran) is reachable but not ready.
    if ((e as { code?: string })?.code === '42P01') {
      return { ready: false, database: 'ok', pendingMigrations: known.map((m) => m.name), outboxLagSeconds: null };
    }
    return { ready: false, database: 'unreachable', pendingMigrations: [], outboxLagSeconds: null };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('readiness check timed out')), ms);
  });
  // The late statement still finishes (or fails) on its own; its result is dropped.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
