/**
 * API tokens (issue 12): they expire by default, can be listed and revoked from the API and
 * the command line, revocation takes effect at once on the instance that revoked and within
 * the principal cache time elsewhere, DEMO=0 mints nothing, and the demo prints its admin
 * token once per data folder.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { startService } from '../support/spawn-service.ts';
import { makeOrg, makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';
import { createApiToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, tokenExpiry } from '../../api/auth/tokens.ts';
import { PRINCIPAL_CACHE_MS } from '../../api/auth/authenticate.ts';
import { connectDb, type Db } from '../../api/db/connect.ts';
import { migrate } from '../../api/db/migrate.ts';
import { prepareDemo } from '../../api/demo/prepare-demo.ts';
import type { App } from '../../api/server.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

let t: TestDb;
let app: App;
let other: App;
const clock = new TestClock(new Date());
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let tree2: Awaited<ReturnType<typeof makeOrgTree>>;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (a: App, token: string) => a.inject({ method: 'GET', url: '/me', headers: auth(token) });
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestDb();
  // Two instances of the service on one database, sharing a clock the test moves.
  app = await buildTestApp(testDeps(t.db, clock));
  other = await buildTestApp(testDeps(t.db, clock));
  tree = await makeOrgTree(t.db);
  tree2 = await makeOrgTree(t.db);
});
afterAll(async () => {
  await app?.close();
  await other?.close();
  await t?.close();
});

describe('tokens expire by default', () => {
  it(`a token issued without an expiry lapses after ${DEFAULT_TOKEN_DAYS} days`, async () => {
    const { token, principal } = await makeUserWithRole(t.db, tree.province, 'admin');
    const [row] = await t.db.query<{ days: number }>(
      `select extract(epoch from expires_at - created_at) / 86400 as days from api_tokens where principal_id = $1`,
      [principal.id],
    );
    expect(Number(row.days)).toBeCloseTo(DEFAULT_TOKEN_DAYS, 3);
    const start = clock.now();
    try {
      expect((await me(app, token)).statusCode).toBe(200);
      clock.set(new Date(start.getTime() + (DEFAULT_TOKEN_DAYS - 1) * DAY));
      expect((await me(app, token)).statusCode).toBe(200);
      clock.set(new Date(start.getTime() + (DEFAULT_TOKEN_DAYS + 1) * DAY));
      // Even a principal remembered a moment ago is not remembered past the token's expiry.
      expect((await me(app, token)).statusCode).toBe(401);
    } finally {
      clock.set(start);
    }
  });

  const defaultExpiry =
    'a row written without an expiry (e.g. by an old script) gets the default; no token lives past the maximum';
  it(defaultExpiry, async () => {
    const { principal } = await makeUserWithRole(t.db, tree.province, 'editor');
    await t.db.query(`insert into api_tokens (principal_id, token_hash) values ($1, 'x-no-expiry')`, [principal.id]);
    const [row] = await t.db.query<{ days: number }>(
      `select extract(epoch from expires_at - created_at) / 86400 as days from api_tokens
        where token_hash = 'x-no-expiry'`,
    );
    expect(Math.round(Number(row.days))).toBe(DEFAULT_TOKEN_DAYS);
    await expect(
      createApiToken(t.db, principal.id, { expiresAt: new Date(Date.now() + (MAX_TOKEN_DAYS + 2) * DAY) }),
    ).rejects.toMatchObject({ code: 'validation' });
    // The command line's --days goes through the same bound.
    expect(() => tokenExpiry(new Date(), MAX_TOKEN_DAYS + 1)).toThrow(`từ 1 đến ${MAX_TOKEN_DAYS}`);
    expect(() => tokenExpiry(new Date(), 0)).toThrow(`từ 1 đến ${MAX_TOKEN_DAYS}`);
  });
});

describe('listing and revoking through the API', () => {
  it('a principal lists their own tokens — never the token itself — and revokes one; it stops at once', async () => {
    const { token, principal } = await makeUserWithRole(t.db, tree.commune, 'committee');
    const second = await createApiToken(t.db, principal.id, { label: 'máy tính bảng' });
    const list = await app.inject({ method: 'GET', url: '/tokens', headers: auth(token) });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('sdv_');
    expect(list.json().map((x: { label: string; state: string }) => [x.label, x.state])).toEqual([
      ['máy tính bảng', 'active'],
      ['', 'active'],
    ]);
    const secondId = list.json()[0].id;
    expect((await me(app, second)).statusCode).toBe(200);
    const revoked = await app.inject({ method: 'POST', url: `/tokens/${secondId}/revoke`, headers: auth(token) });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().state).toBe('revoked');
    expect((await me(app, second)).statusCode).toBe(401);
    expect((await me(app, token)).statusCode).toBe(200);
    const all = await app.inject({ method: 'GET', url: '/tokens?all=true', headers: auth(token) });
    expect(all.json().map((x: { state: string }) => x.state)).toEqual(['revoked', 'active']);
    expect((await app.inject({ method: 'GET', url: '/tokens', headers: auth(token) })).json()).toHaveLength(1);
    const [audit] = await t.db.query<{ action: string; actor: number }>(
      `select action, actor_principal_id as actor from audit_log
        where action = 'api_token.revoked' order by id desc limit 1`,
    );
    expect(audit).toEqual({ action: 'api_token.revoked', actor: principal.id });
  });

  const revokeInSubtree =
    "an admin revokes the token of someone inside their subtree; another province's admin cannot, and nothing changes";
  it(revokeInSubtree, async () => {
    const sec = await makeSecretary(t.db, tree.cellA);
    const admin = await makeUserWithRole(t.db, tree.province, 'admin');
    const stranger = await makeUserWithRole(t.db, tree2.province, 'admin');
    const [{ id }] = await t.db.query<{ id: number }>(
      `select id from api_tokens where principal_id = $1 order by id desc limit 1`,
      [sec.principal.id],
    );
    for (const [method, url] of [
      ['GET', `/tokens?principalId=${sec.principal.id}`],
      ['POST', `/tokens/${id}/revoke`],
    ] as const) {
      const res = await app.inject({ method, url, headers: auth(stranger.token) });
      expect(res.statusCode).toBe(403);
    }
    const memberSelf = await app.inject({ method: 'POST', url: `/tokens/${id}/revoke`, headers: auth(admin.token) });
    expect(memberSelf.statusCode).toBe(200);
    expect((await me(app, sec.token)).statusCode).toBe(401);
  });

  it('an admin cannot cut off someone who also holds a role outside the admin’s subtree', async () => {
    const admin = await makeUserWithRole(t.db, tree.province, 'admin');
    const both = await makeUserWithRole(t.db, tree.cellB, 'secretary');
    await t.db.query(`insert into role_grants (principal_id, org_id, role) values ($1, $2, 'editor')`, [
      both.principal.id,
      tree2.province.id,
    ]);
    const [{ id }] = await t.db.query<{ id: number }>(`select id from api_tokens where principal_id = $1`, [
      both.principal.id,
    ]);
    const res = await app.inject({ method: 'POST', url: `/tokens/${id}/revoke`, headers: auth(admin.token) });
    expect(res.statusCode).toBe(403);
    const [row] = await t.db.query<{ revokedAt: Date | null }>(
      `select revoked_at as "revokedAt" from api_tokens where id = $1`,
      [id],
    );
    expect(row.revokedAt).toBeNull();
    expect((await me(app, both.token)).statusCode).toBe(200);
  });

  it(`a revocation on one instance reaches another within ${PRINCIPAL_CACHE_MS / 1000} s`, async () => {
    const { token } = await makeUserWithRole(t.db, tree.commune, 'committee');
    expect((await me(other, token)).statusCode).toBe(200); // the other instance remembers it
    const [{ id }] = (await app.inject({ method: 'GET', url: '/tokens', headers: auth(token) })).json();
    const start = clock.now();
    try {
      expect((await app.inject({ method: 'POST', url: `/tokens/${id}/revoke`, headers: auth(token) })).statusCode).toBe(
        200,
      );
      expect((await me(app, token)).statusCode).toBe(401);
      clock.set(new Date(start.getTime() + PRINCIPAL_CACHE_MS - 1000));
      expect((await me(other, token)).statusCode).toBe(200);
      clock.set(new Date(start.getTime() + PRINCIPAL_CACHE_MS + 1));
      expect((await me(other, token)).statusCode).toBe(401);
    } finally {
      clock.set(start);
    }
  });
});

describe('the command line: token, tokens, revoke', () => {
  // On PostgreSQL the command line works on the test's database while the service runs; the
  // embedded database is one process's at a time, so there the test opens it between commands.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-tokens-'));
  const env = { ...process.env, DATABASE_URL: '', DATA_DIR: dir, LOG_LEVEL: 'warn' };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const admin = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'api/cli/admin.ts', ...args], {
      cwd: ROOT,
      env: { ...env, DATABASE_URL: t.url ?? '' },
    });
    return stdout;
  };
  /** The database the command line uses, opened for a moment (PGlite: only between commands). */
  async function withDb<T>(fn: (db: Db, a: App) => Promise<T>): Promise<T> {
    if (t.url) return fn(t.db, app);
    const db = await connectDb('', dir);
    await migrate(db);
    const a = await buildTestApp(testDeps(db, clock));
    try {
      return await fn(db, a);
    } finally {
      await a.close();
      await db.close();
    }
  }

  const tokenDays = `${DEFAULT_TOKEN_DAYS}-day`;
  it(`issues a ${tokenDays} token, lists it without the token, revokes it, or all of a principal's`, async () => {
    const org = await withDb(async (db) => makeOrg(db, 'province', null, 'Đảng bộ tỉnh Dòng Lệnh'));
    const issued = await admin('token', '--org', String(org.id), '--role', 'editor', '--name', 'Biên tập CLI');
    const token = /(sdv_\S+)/.exec(issued)![1];
    const principal = Number(/principal (\d+)/.exec(issued)![1]);
    const expiry = new Date(/hết hạn (\S+)\)/.exec(issued)![1]);
    expect(Math.round((expiry.getTime() - Date.now()) / DAY)).toBe(DEFAULT_TOKEN_DAYS);

    const listed = await admin('tokens', '--org', String(org.id));
    expect(listed).not.toContain('sdv_');
    const line = listed.split('\n').find((l) => l.includes('Biên tập CLI'))!;
    expect(line).toMatch(/^\d+\tactive\t/);
    const id = line.split('\t')[0];
    const spare = await withDb(async (db, a) => {
      expect((await me(a, token)).statusCode).toBe(200);
      return createApiToken(db, principal, { label: 'dự phòng' });
    });

    expect(await admin('revoke', id)).toContain(`Đã thu hồi mã truy cập ${id}`);
    await withDb(async (db, a) => {
      // A running instance that remembered the token stops within the cache time.
      clock.set(new Date(clock.now().getTime() + PRINCIPAL_CACHE_MS + 1));
      expect((await me(a, token)).statusCode).toBe(401);
      expect((await me(a, spare)).statusCode).toBe(200);
      const [row] = await db.query<{ n: number }>(
        `select count(*)::int as n from audit_log where action = 'api_token.revoked' and details->>'via' = 'cli'`,
      );
      expect(row.n).toBe(1);
    });
    expect(await admin('revoke', '--principal', String(principal))).toMatch(
      new RegExp(`Đã thu hồi principal ${principal}: 1 mã truy cập \\(\\d+\\)`),
    );
    const all = await admin('tokens', '--org', String(org.id), '--all');
    expect(all).toMatch(new RegExp(`^${id}\\trevoked\\t`, 'm'));
    expect(all).not.toMatch(/\tactive\t/);
    await withDb(async (_db, a) => {
      clock.set(new Date(clock.now().getTime() + PRINCIPAL_CACHE_MS + 1));
      expect((await me(a, spare)).statusCode).toBe(401);
    });
  }, 300_000);

  it('lists the roles held on a unit and beneath it, and removes one (audited)', async () => {
    const org = await withDb(async (db) => makeOrg(db, 'province', null, 'Đảng bộ tỉnh Vai Trò'));
    await admin('token', '--org', String(org.id), '--role', 'committee', '--name', 'Cấp ủy CLI');
    const listed = await admin('roles', '--org', String(org.id));
    const line = listed.split('\n').find((l) => l.includes('Cấp ủy CLI'))!;
    expect(line).toMatch(new RegExp(`^\\d+\\t${org.id} Đảng bộ tỉnh Vai Trò\\tcommittee\\t`));
    const grantId = line.split('\t')[0];
    expect(await admin('remove-role', grantId)).toContain('Đã bỏ vai trò committee của Cấp ủy CLI');
    expect(await admin('roles', '--org', String(org.id))).toContain('Không có vai trò nào');
    await withDb(async (db) => {
      const rows = await db.query<{ action: string; via: string }>(
        `select action, details->>'via' as via from audit_log where org_id = $1 order by id`,
        [org.id],
      );
      expect(rows).toEqual([
        { action: 'role.granted', via: 'cli' },
        { action: 'role.removed', via: 'cli' },
      ]);
    });
  }, 300_000);
});

describe('the demo', () => {
  it('prints its admin token once per data folder; later starts say how to get one', async () => {
    const deps = testDeps(t.db, clock);
    const first = (await prepareDemo(deps, 'http://localhost:3000')).lines.join('\n');
    const token = /Admin token[^:]*: (sdv_\S+)/.exec(first)![1];
    expect((await me(app, token)).statusCode).toBe(200);
    const second = (await prepareDemo(deps, 'http://localhost:3000')).lines.join('\n');
    expect(second).not.toMatch(/sdv_/);
    expect(second).toMatch(/npm run admin -- token --org \d+/);
    const [row] = await t.db.query<{ n: number }>(`select count(*)::int as n from api_tokens where label = 'demo'`);
    expect(row.n).toBe(1);
  });

  it('DEMO=0 mints nothing and loads nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-nodemo-'));
    // The service on the kind of database the suite uses (embedded: a fresh data folder).
    const fresh = t.url ? await createTestDb() : null;
    const service = await startService(
      { DATABASE_URL: fresh?.url ?? '', DATA_DIR: dir, DEMO: '0' },
      /Web chat:/,
      240_000,
    );
    try {
      expect(service.output()).not.toMatch(/sdv_/);
      expect(service.output()).toContain('npm run admin -- token');
    } finally {
      await service.stop();
    }
    const db = fresh ? fresh.db : await connectDb('', dir);
    try {
      const [row] = await db.query<{ tokens: number; principals: number; orgs: number }>(
        `select (select count(*)::int from api_tokens) as tokens, (select count(*)::int from principals) as principals,
                (select count(*)::int from orgs) as orgs`,
      );
      expect(row).toEqual({ tokens: 0, principals: 0, orgs: 0 });
    } finally {
      if (fresh) await fresh.close();
      else await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
