/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new
 * database on the PostgreSQL server named by DATABASE_URL (dropped again on close).
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { connectPglite, connectPostgres, type Db } from '../../api/db/connect.ts';
import { migrate } from '../../api/db/migrate.ts';

export interface TestDb {
  db: Db;
  /** postgres:// URL of the database, or null on PGlite. */
  url: string | null;
  close(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const server = process.env.DATABASE_URL;
  if (!server || !/^postgres(ql)?:\/\//.test(server)) {
    const db = await connectPglite(null);
    await migrate(db);
    return { db, url: null, close: () => db.close() };
  }
  // TEST_DB_PREFIX: a prefix of one's own on a shared server (dropped on close either way).
  const prefix = /^[a-z_][a-z0-9_]*$/.test(process.env.TEST_DB_PREFIX ?? '') ? process.env.TEST_DB_PREFIX : 't';
  const name = `${prefix}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(server, `create database ${name}`);
  const url = withDatabase(server, name);
  const db = await connectPostgres(url, 10);
  await migrate(db);
  return {
    db,
    url,
    async close() {
      await db.close();
      await adminQuery(server, `drop database if exists ${name} with (force)`);
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** One statement on a maintenance connection (create or drop a database). */
export async function adminQuery(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
