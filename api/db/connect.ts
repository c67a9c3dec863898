/**
 * The one database module. Everything that runs SQL gets a `Db` (or, inside a transaction,
 * the `Sql` it hands out); the same code runs on the embedded PGlite and on PostgreSQL.
 *
 * Values come back the same way on both: int8/count → number, date → 'YYYY-MM-DD' string,
 * timestamptz → Date, json/jsonb → parsed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import { AppError } from '../errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: each query names its row type; this is the untyped default
export type Row = Record<string, any>;

export interface Sql {
  /** One statement with $1… parameters; returns the rows. */
  query<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Db extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /**
   * For writes whose commit need not wait for the disk: the claims, leases and pacing slots
   * of the inbox and outbox workers. A server crash may forget the last of them; that costs
   * at most work done again, as when a worker dies (never an accepted update, vote or
   * message, which are written through the durable statements). On PostgreSQL these run on
   * connections with synchronous_commit off; elsewhere it is the database itself.
   */
  readonly relaxed: Sql;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * The embedded database's whole data folder as one gzipped tar, taken between transactions
   * after a checkpoint (api/db/embedded-backup.ts). Absent on PostgreSQL: pgBackRest does that.
   */
  dump?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;
const parseInt8 = (v: string) => Number(v);
const keepString = (v: string) => v;

export async function connectDb(databaseUrl: string, dataDir: string): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return connectPostgres(databaseUrl);
  if (databaseUrl && databaseUrl !== 'memory://' && !databaseUrl.startsWith('file://')) {
    throw new AppError('startup', `DATABASE_URL không hợp lệ: dùng postgres://…, memory:// hoặc để trống.`);
  }
  const dir = databaseUrl.startsWith('file://')
    ? databaseUrl.slice('file://'.length)
    : databaseUrl === 'memory://'
      ? null
      : path.join(dataDir, 'pglite');
  return connectPglite(dir);
}

/** `load`: a tar made by `dump()`, unpacked into the (empty) folder before PostgreSQL starts. */
export async function connectPglite(dir: string | null, load?: Blob): Promise<Db> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const lite = await PGlite.create({
    dataDir: dir ?? undefined,
    loadDataDir: load,
    extensions: { vector, unaccent, ltree },
    parsers: { [INT8]: parseInt8, [DATE]: keepString, [NUMERIC]: Number },
  });
  const asSql = (q: Pick<PGlite, 'query' | 'exec'>): Sql => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      const r = await q.query<T>(text, params as unknown[]);
      return r.rows;
    },
    async exec(text: string) {
      await q.exec(text);
    },
  });
  const base = asSql(lite);
  return {
    kind: 'pglite',
    ...base,
    relaxed: base,
    tx: (fn) => lite.transaction((t) => fn(asSql(t))),
    // Inside a transaction of its own, which holds PGlite's transaction lock: no other
    // transaction is half-way, none starts until the copy is made. The checkpoint puts every
    // committed page in the files, so the copy needs no replay to open.
    dump: () =>
      lite.transaction(async (t) => {
        await t.exec('checkpoint');
        const tar = await lite.dumpDataDir('gzip');
        return new Uint8Array(await tar.arrayBuffer());
      }),
    close: () => lite.close(),
  };
}

pg.types.setTypeParser(INT8, parseInt8);
pg.types.setTypeParser(DATE, keepString);
pg.types.setTypeParser(NUMERIC, Number);

/**
 * The database could not be reached, or the connection was lost mid-statement (backend
 * terminated, server restarting, network reset). The request fails with 503; the pool
 * opens fresh connections for the next one, so the service recovers by itself.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

const CONNECTION_ERROR_MESSAGE =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|not queryable/i;

/** True for errors that mean "the connection is gone", not "the statement was wrong". */
export function isConnectionError(e: unknown): boolean {
  if (e instanceof DatabaseUnavailableError) return true;
  const code = String((e as { code?: unknown })?.code ?? '');
  // 08xxx connection exceptions; 57P01–57P03 admin/crash shutdown, cannot connect now; during a
  // failover also 25006 (a standby not yet promoted: read-only) and 53300 (every client of the
  // service reconnecting at once to the new primary: too many connections) — all "try again".
  if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || CONNECTION_ERROR_CODES.has(code)) return true;
  if (code === '25006' || code === '53300') return true;
  const message = String((e as Error)?.message ?? '');
  return CONNECTION_ERROR_MESSAGE.test(message);
}

const unavailable = (e: unknown) => (isConnectionError(e) ? new DatabaseUnavailableError(e) : e);

export async function connectPostgres(url: string, poolSize = Number(process.env.PG_POOL_SIZE ?? 20)): Promise<Db> {
  // A bounded wait for a connection: while the server is down, requests fail (503) instead of queueing forever.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // An idle client that loses its server must not crash the process; the pool drops it.
  pool.on('error', () => {});
  try {
    await pool.query('select 1');
  } catch (e) {
    await pool.end();
    throw new AppError('startup', `Không kết nối được PostgreSQL (${safeUrl(url)}): ${(e as Error).message}`);
  }
  const base = poolSql(pool);
  const relaxedPool = new pg.Pool({
    connectionString: url,
    max: Math.max(2, Math.ceil(poolSize / 4)),
    connectionTimeoutMillis: 5_000,
    options: '-c synchronous_commit=off',
  });
  relaxedPool.on('error', () => {});
  return {
    kind: 'postgres',
    ...base,
    relaxed: poolSql(relaxedPool),
    async tx(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw unavailable(e);
      }
      // A checked-out client has no listener of the pool's: when its backend is terminated
      // mid-transaction it emits 'error', which must not become an uncaught exception. The
      // statement in flight fails on its own; the broken client is destroyed on release.
      let lost: Error | undefined;
      const onError = (e: Error) => {
        lost = e;
      };
      client.on('error', onError);
      const sql: Sql = {
        async query<T>(text: string, params?: readonly unknown[]) {
          return (await client.query(prepared(text, params))).rows as T[];
        },
        async exec(text: string) {
          await client.query(text);
        },
      };
      try {
        await client.query('begin');
        const result = await fn(sql);
        await client.query('commit');
        return result;
      } catch (e) {
        if (!lost && !isConnectionError(e)) await client.query('rollback').catch(() => {});
        else lost ??= e as Error;
        throw unavailable(e);
      } finally {
        client.removeListener('error', onError);
        // A lost connection is destroyed, never handed to the next request.
        client.release(lost);
      }
    },
    close: async () => {
      await Promise.all([pool.end(), relaxedPool.end()]);
    },
  };
}

/** Single statements on a pool, outside any transaction. */
function poolSql(pool: pg.Pool): Sql {
  return {
    async query<T>(text: string, params?: readonly unknown[]) {
      try {
        const r = await pool.query(prepared(text, params));
        return r.rows as T[];
      } catch (e) {
        throw unavailable(e);
      }
    },
    async exec(text: string) {
      try {
        await pool.query(text);
      } catch (e) {
        throw unavailable(e);
      }
    },
  };
}

/**
 * Every parameterised statement is a named prepared statement: PostgreSQL plans it once per
 * connection instead of on every call (the roll and vote queries are planned, not just run,
 * thousands of times a second on a meeting evening).
 */
const statementNames = new Map<string, string>();
function prepared(text: string, params?: readonly unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) {
    name = `s_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return { name, text, values: params as unknown[] | undefined };
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** First row or undefined. */
export async function maybeOne<T = Row>(sql: Sql, text: string, params?: readonly unknown[]): Promise<T | undefined> {
  const rows = await sql.query<T>(text, params);
  return rows[0];
}

/** Exactly the first row; throws when there is none (a programming error, not a user one). */
export async function one<T = Row>(sql: Sql, text: string, params?: readonly unknown[]): Promise<T> {
  const row = await maybeOne<T>(sql, text, params);
  if (row === undefined) throw new Error(`query returned no row: ${text.slice(0, 80)}`);
  return row;
}
