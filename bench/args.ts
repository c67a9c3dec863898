import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import pino from 'pino';
import { readConfig } from '../api/config.ts';
import type { Deps } from '../api/context.ts';
import { connectPostgres, type Db } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { adminQuery, dbNamePrefix, withDatabase } from '../test/support/db.ts';

/** Reads `--name value` pairs for benches: `npm run bench:x -- --members 100000`. */
export function benchArgs<T extends Record<string, number | string>>(defaults: T): T {
  const out: Record<string, number | string> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)$/.exec(argv[i]);
    if (!m || !(m[1] in defaults))
      throw new Error(
        `unknown argument ${argv[i]}; known: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(' ')}`,
      );
    const raw = argv[++i];
    out[m[1]] = typeof defaults[m[1]] === 'number' ? Number(raw) : raw;
    if (typeof defaults[m[1]] === 'number' && !Number.isFinite(out[m[1]] as number))
      throw new Error(`--${m[1]} needs a number`);
  }
  return out as T;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The PostgreSQL server benches use: DATABASE_URL, else the local one. */
export const benchServerUrl = () =>
  process.env.DATABASE_URL && /^postgres/.test(process.env.DATABASE_URL)
    ? process.env.DATABASE_URL
    : 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The name of a bench's throwaway database: DB_NAME_PREFIX (so engineers sharing one server can
 * tell their databases apart), the bench's own prefix, a random part.
 */
export const benchDatabaseName = (prefix: string) =>
  `${dbNamePrefix()}${prefix}_${crypto.randomBytes(3).toString('hex')}`;

/**
 * A fresh database on the bench server with the real migrations, dropped afterwards
 * (whatever happens), so a bench never touches anyone's data.
 */
export async function withBenchDatabase<T>(prefix: string, poolSize: number, fn: (db: Db) => Promise<T>): Promise<T> {
  const server = benchServerUrl();
  const name = benchDatabaseName(prefix);
  await adminQuery(server, `create database ${name}`);
  const db = await connectPostgres(withDatabase(server, name), poolSize);
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
    await adminQuery(server, `drop database if exists ${name} with (force)`);
  }
}

/** Runs a load script in a second process and returns the JSON it prints last. */
export function runChild<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`${script} exited ${code}`)),
    );
  });
}

/** A bench's entry point: failures print and exit non-zero. */
export function runBench(main: () => Promise<void>) {
  main().then(
    // done: threads the service may have started (BALLOT_THREADS) must not keep the bench waiting
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

/** Use-case dependencies for a bench: warnings only in the log, the real clock. */
export function benchDeps(db: Db): Deps {
  return {
    db,
    clock: { now: () => new Date() },
    log: pino({ level: 'warn' }),
    config: { ...readConfig({}), demo: false },
    linkSecret: 'bench',
  };
}
