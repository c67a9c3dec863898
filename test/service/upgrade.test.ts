/**
 * Upgrades from the last release. The fixture is a dump (schema and data) of a database made by
 * release 74848bd — the demo organisation, plus a closed meeting with its roll, an open vote and
 * a secret ballot — loaded as an owner's database would be, then upgraded with today's
 * migrations: the data is all there, the schema is exactly what a fresh install has, and the
 * service is ready on it. And every migration newer than that release that would lock a table
 * written on a meeting evening says so in a `-- lock:` line, for the release notes.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { connectPostgres, type Db } from '../../api/db/connect.ts';
import { listMigrations, migrate } from '../../api/db/migrate.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { adminQuery, createTestDb, type TestDb, withDatabase } from '../support/db.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(HERE, '../data/upgrade/release-74848bd.sql.gz');
/**
 * The migrations the fixture's release had (`git ls-tree <release> api/db/migrations`): a newer
 * one may carry a lower number than the release's last (110 came after 121), so they are named.
 */
const RELEASE_MIGRATIONS = new Set<string>(
  JSON.parse(fs.readFileSync(path.join(HERE, '../data/upgrade/release-74848bd.migrations.json'), 'utf8')),
);
const newerThanRelease = () => listMigrations().filter((m) => !RELEASE_MIGRATIONS.has(`${m.name}.sql`));
const onPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');

/** Tables written on a meeting evening or by every request: a long lock on them is an outage. */
const HOT_TABLES = [
  'meeting_attendance',
  'votes',
  'ballot_participation',
  'ballot_box',
  'motions',
  'meetings',
  'outbox_messages',
  'inbound_updates',
  'chat_sessions',
  'audit_log',
  'notice_recipients',
  'throttle_attempts',
  'members',
  'api_tokens',
];

/** Statements that take an ACCESS EXCLUSIVE or SHARE lock on a hot table for as long as they run. */
function locksHotTable(sql: string): string | null {
  const text = sql.replace(/--.*$/gm, '').toLowerCase();
  for (const table of HOT_TABLES) {
    const t = `(?:only\\s+)?(?:public\\.)?${table}\\b`;
    const patterns = [
      new RegExp(`alter\\s+table\\s+(?:if\\s+exists\\s+)?${t}`),
      new RegExp(`create\\s+(?:unique\\s+)?index\\s+(?:if\\s+not\\s+exists\\s+)?\\w*\\s*on\\s+${t}`),
      new RegExp(`update\\s+${t}`),
      new RegExp(`delete\\s+from\\s+${t}`),
    ];
    if (patterns.some((p) => p.test(text))) return table;
  }
  return null;
}

describe('migrations newer than the last release', () => {
  it('say so when they lock a table written on a meeting evening', () => {
    const unmarked = newerThanRelease()
      .filter((m) => locksHotTable(m.sql) && !/^--\s*lock:/m.test(m.sql))
      .map((m) => `${m.name} (${locksHotTable(m.sql)})`);
    expect(unmarked, 'add a "-- lock: <what and how long>" line to each').toEqual([]);
  });

  it('the check itself sees an index built on the votes table, and not one on a quiet table', () => {
    expect(locksHotTable('create index votes_by_choice on votes (choice);')).toBe('votes');
    expect(locksHotTable('alter table public.outbox_messages add column x int;')).toBe('outbox_messages');
    expect(locksHotTable('create index kb_x on kb_lessons (org_id);')).toBeNull();
  });
});

describe.runIf(onPostgres)('upgrade from release 74848bd', () => {
  const server = process.env.DATABASE_URL!;
  const name = `infra_upgrade_${crypto.randomBytes(3).toString('hex')}`;
  let db: Db | undefined;
  let fresh: TestDb | undefined;

  afterAll(async () => {
    await db?.close();
    await fresh?.close();
    await adminQuery(server, `drop database if exists ${name} with (force)`);
  });

  it("keeps the release's data, ends with a fresh install's schema, and the service is ready", async () => {
    await adminQuery(server, `create database ${name}`);
    const url = withDatabase(server, name);
    execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', url], {
      input: zlib.gunzipSync(fs.readFileSync(FIXTURE)),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    db = await connectPostgres(url, 4);
    const applied = await migrate(db);
    const newer = newerThanRelease();
    expect(applied).toEqual(newer.map((m) => m.name));

    const count = async (sql: string) => (await db!.query<{ n: number }>(sql))[0].n;
    expect(await count(`select count(*)::int n from members`)).toBe(320);
    expect(await count(`select count(*)::int n from orgs`)).toBe(15);
    expect(await count(`select count(*)::int n from meeting_attendance where checked_in_at is not null`)).toBe(38);
    expect(await db.query(`select choice, count(*)::int n from votes group by choice order by choice`)).toEqual([
      { choice: 'against', n: 13 },
      { choice: 'for', n: 25 },
    ]);
    expect(await count(`select count(*)::int n from ballot_participation`)).toBe(38);
    expect(await db.query(`select choice, count(*)::int n from ballot_box group by choice order by choice`)).toEqual([
      { choice: 'abstain', n: 13 },
      { choice: 'for', n: 25 },
    ]);

    fresh = await createTestDb();
    expect(await schemaOf(db)).toEqual(await schemaOf(fresh.db));

    const app = await buildTestApp(testDeps(db));
    try {
      const ready = await app.inject({ url: '/health/ready' });
      expect(ready.json()).toMatchObject({ ready: true, pendingMigrations: [] });
    } finally {
      await app.close();
    }
  });
});

/** Tables, columns, indexes and constraints, as text that compares across databases. */
async function schemaOf(db: Db) {
  const columns = await db.query(
    `select table_name, column_name, data_type, is_nullable, column_default, is_identity
       from information_schema.columns where table_schema = 'public' order by table_name, column_name`,
  );
  // The vector index for the embedding size in use is built by the running service, not a migration.
  const indexes = await db.query(
    `select tablename, indexname, indexdef from pg_indexes
      where schemaname = 'public' and indexname not like 'kb_chunks_hnsw_%' order by indexname`,
  );
  const constraints = await db.query(
    `select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def
       from pg_constraint where connamespace = 'public'::regnamespace order by conrelid::regclass::text, conname`,
  );
  return { columns, indexes, constraints };
}
