/**
 * Claims, leases and pacing slots go through `Db.relaxed`: on PostgreSQL their commits do not
 * wait for the disk, while every other statement (accepted updates, votes, sent marks) does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';

const onPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');
let t: TestDb;

beforeAll(async () => {
  if (onPostgres) t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe.runIf(onPostgres)('relaxed commits on PostgreSQL', () => {
  it('are off only on the relaxed connections, and both see the same data at once', async () => {
    const setting = async (sql: typeof t.db.relaxed) =>
      (await sql.query<{ s: string }>(`select current_setting('synchronous_commit') as s`))[0].s;
    expect(await setting(t.db)).toBe('on');
    expect(await setting(t.db.relaxed)).toBe('off');
    await t.db.tx(async (sql) => expect(await setting(sql)).toBe('on'));

    await t.db.relaxed.query(`insert into service_settings (key, value) values ('relaxed-test', 'x')`);
    expect(await t.db.query(`select key from service_settings where key = 'relaxed-test'`)).toEqual([
      { key: 'relaxed-test' },
    ]);
  });
});
