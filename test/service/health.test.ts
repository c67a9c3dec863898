/**
 * Liveness and readiness: what a load balancer and a supervisor see. `/health/live` never
 * depends on the database; `/health/ready` says 503 with Retry-After while the database is away
 * or a migration is missing, and reports how long the oldest due outbox message has waited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type Db } from '../../api/db/connect.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { proxyTo, type TcpProxy } from '../support/tcp-proxy.ts';
import type { App } from '../../api/server.ts';

const onPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');

describe('health: live and ready', () => {
  let t: TestDb;
  let app: App;
  beforeAll(async () => {
    t = await createTestDb();
    app = await buildTestApp(testDeps(t.db));
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('a migrated database with an empty outbox is live and ready', async () => {
    const live = await app.inject({ url: '/health/live' });
    expect(live.statusCode).toBe(200);
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      ready: true,
      database: 'ok',
      pendingMigrations: [],
      outboxLagSeconds: 0,
    });
  });

  it('a message due for ten minutes shows as outbox lag, without taking the instance out', async () => {
    await t.db.query(
      `insert into outbox_messages (channel, bot_key, chat_id, kind, payload, next_attempt_at)
       values ('telegram', 'default', '42', 'notice', '{"text":"x"}', now() - interval '10 minutes')`,
    );
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().outboxLagSeconds).toBeGreaterThanOrEqual(600);
    expect(ready.json().outboxLagSeconds).toBeLessThan(700);
    await t.db.query(`delete from outbox_messages`);
  });

  it('a migration not applied: not ready (503, Retry-After), naming it; live all the same', async () => {
    const [last] = await t.db.query<{ version: number; name: string }>(
      `select version, name from schema_migrations order by version desc limit 1`,
    );
    await t.db.query(`delete from schema_migrations where version = $1`, [last.version]);
    try {
      const ready = await app.inject({ url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['retry-after']).toBe('5');
      expect(ready.json()).toMatchObject({ ready: false, database: 'ok', pendingMigrations: [last.name] });
      expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await t.db.query(`insert into schema_migrations (version, name) values ($1, $2)`, [last.version, last.name]);
    }
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
  });
});

describe.runIf(onPostgres)('health while PostgreSQL is away', () => {
  let t: TestDb;
  let proxy: TcpProxy;
  let db: Db;
  let app: App;
  beforeAll(async () => {
    t = await createTestDb();
    const { proxy: started, url: viaProxy } = await proxyTo(t.url!);
    proxy = started;
    db = await connectPostgres(viaProxy.toString(), 4);
    app = await buildTestApp(testDeps(db));
  });
  afterAll(async () => {
    await app?.close();
    await db?.close().catch(() => {});
    await proxy?.stop();
    await t?.close();
  });

  it('not ready with Retry-After while it is away, live throughout, ready again by itself', async () => {
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    await proxy.stop();
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.json()).toMatchObject({ ready: false, database: 'unreachable' });
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
    await proxy.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await app.inject({ url: '/health/ready' })).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});
