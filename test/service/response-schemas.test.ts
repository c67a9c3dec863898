/**
 * Every route says what it returns: a response schema for its success status, which /docs
 * shows and Fastify serialises with (a field the schema lacks never reaches the caller, so the
 * feature tests that read those fields keep the schemas complete).
 */
import Fastify, { type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/server.ts';
import { FEATURE_ROUTES } from '../../api/features.ts';
import { validatorCompiler } from '../../api/http/validation.ts';
import { createBots } from '../../bot/bots.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';

let t: TestDb;
let app: App;
let routes: RouteOptions[];

beforeAll(async () => {
  t = await createTestDb();
  const deps = testDeps(t.db);
  const channels = createBots(deps, {}).plugins;
  app = await buildTestApp(deps, { plugins: channels });

  // The same feature and channel plugins on a bare instance that lists each route as it is added.
  const lister = Fastify();
  lister.setValidatorCompiler(validatorCompiler);
  routes = [];
  lister.addHook('onRoute', (route) => {
    if (route.method !== 'HEAD') routes.push(route);
  });
  for (const plugin of FEATURE_ROUTES) await lister.register(plugin, { deps });
  for (const plugin of channels) await lister.register(plugin);
  await lister.ready();
  await lister.close();
});

afterAll(async () => {
  await app?.close();
  await t?.close();
});

const successStatuses = (route: RouteOptions) =>
  Object.keys((route.schema?.response as Record<string, unknown> | undefined) ?? {}).filter((s) =>
    /^[23]\d\d$/.test(s),
  );

describe('response schemas', () => {
  it('lists the routes of every feature and channel', () => {
    const urls = routes.map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('GET /meetings/:id');
    expect(urls).toContain('POST /orgs/:id/members/import');
    expect(urls).toContain('POST /chat/api/messages');
    expect(urls).toContain('POST /webhooks/:channel/:bot');
    expect(routes.length).toBeGreaterThan(40);
  });

  it('every route has a response schema for its success status', () => {
    const missing = routes.filter((r) => successStatuses(r).length === 0).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('signed links and uploads declare their params and bodies', () => {
    const find = (method: string, url: string) => routes.find((r) => r.method === method && r.url === url);
    for (const url of [
      '/d/:doc/:member/:exp/:sig',
      '/n/:notice/:member/:exp/:sig',
      '/n/:notice/:member/:exp/:sig/a/:attachment',
    ]) {
      expect(find('GET', url)?.schema?.params, url).toBeTruthy();
    }
    for (const url of ['/orgs/:id/members/import', '/orgs/:id/knowledge/documents']) {
      const body = find('POST', url)?.schema?.body as { content?: Record<string, unknown> } | undefined;
      expect(Object.keys(body?.content ?? {}), url).toContain('multipart/form-data');
    }
  });

  it('/docs shows what each documented operation returns', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    const undocumented: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
        if (!success.some(([, r]) => r.content && Object.keys(r.content).length > 0)) {
          undocumented.push(`${method.toUpperCase()} ${path}`);
        }
      }
    }
    expect(undocumented).toEqual([]);
    const meeting = doc.paths['/meetings/{id}'].get.responses?.['200'].content?.['application/json'] as {
      schema: { properties: Record<string, unknown> };
    };
    expect(Object.keys(meeting.schema.properties)).toEqual(
      expect.arrayContaining(['attendance', 'motions', 'ratings', 'overdueTasks', 'checkinCode']),
    );
    const upload = doc.paths['/orgs/{id}/members/import'].post as { requestBody?: { content?: object } };
    expect(Object.keys(upload.requestBody?.content ?? {})).toContain('multipart/form-data');
  });
});

describe('answers keep every field through their schemas', () => {
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  it('units, roles, members, link codes, feedback and ingest jobs', async () => {
    const tree = await makeOrgTree(t.db);
    const admin = (await makeUserWithRole(t.db, tree.province, 'admin', 'Quản trị')).token;
    const secretary = await makeSecretary(t.db, tree.cellA);
    const member = await makeMember(t.db, tree.cellA, { fullName: 'Lê Văn Dự', birthYear: null });
    const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token: string, payload?: object) => {
      const res = await app.inject({ method, url, headers: auth(token), payload });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
      return res.json();
    };

    const me = await call('GET', '/me', admin);
    expect(me).toEqual({
      id: expect.any(Number),
      displayName: 'Quản trị',
      memberId: null,
      roles: [{ orgId: tree.province.id, orgName: tree.province.name, role: 'admin' }],
    });

    const unit = await call('GET', `/orgs/${tree.committee.id}`, admin);
    expect(Object.keys(unit).sort()).toEqual(
      ['children', 'deployed', 'id', 'kind', 'name', 'notDeployedReason', 'parentId', 'path'].sort(),
    );
    expect(unit.children.map((c: { name: string }) => c.name)).toEqual(['Chi bộ A', 'Chi bộ B']);
    const off = await call('PUT', `/orgs/${tree.cellB.id}/deployment`, admin, {
      deployed: false,
      reason: 'Chưa có mạng',
    });
    expect(off).toMatchObject({ id: tree.cellB.id, deployed: false, notDeployedReason: 'Chưa có mạng' });

    const grant = await call('POST', `/orgs/${tree.cellA.id}/roles`, admin, { role: 'editor', memberId: member.id });
    expect(grant).toEqual({ principalId: expect.any(Number), orgId: tree.cellA.id, role: 'editor' });

    const list = await call('GET', `/orgs/${tree.cellA.id}/members`, admin);
    const row = list.find((m: { id: number }) => m.id === member.id);
    expect(row).toMatchObject({ fullName: 'Lê Văn Dự', birthYear: null, cellName: 'Chi bộ A', exempt: false });
    expect(Object.keys(row)).toHaveLength(16);
    const edited = await call('PATCH', `/members/${member.id}`, admin, { phone: '0912 345 678' });
    expect(edited).toMatchObject({ id: member.id, phone: '0912 345 678', cardNumber: member.cardNumber });

    const code = await call('POST', `/members/${member.id}/link-codes`, secretary.token);
    expect(Object.keys(code).sort()).toEqual(['code', 'expiresAt', 'howTo', 'replaced']);
    expect(new Date(code.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const sent = await call('POST', '/feedback', secretary.token, { body: 'Đề nghị họp sớm hơn' });
    expect(sent).toEqual({ id: expect.any(Number), orgName: 'Chi bộ A' });

    const upload = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.province.id}/knowledge/documents`,
      headers: {
        ...auth(admin),
        'content-type': 'text/markdown',
        'content-disposition': 'attachment; filename="quy-dinh.md"',
      },
      payload: '# Quy định\n\nĐiều 1. Đảng viên sinh hoạt chi bộ mỗi tháng một lần.',
    });
    expect(upload.statusCode, upload.body).toBe(202);
    const { jobId } = upload.json();
    let job = await call('GET', `/knowledge/jobs/${jobId}`, admin);
    for (let i = 0; i < 100 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = await call('GET', `/knowledge/jobs/${jobId}`, admin);
    }
    expect(job).toMatchObject({ id: jobId, status: 'done', filename: 'quy-dinh.md', error: null });
    expect(job.result).toMatchObject({ status: 'created', chunks: expect.any(Number) });
    expect(job.finishedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  });
});
