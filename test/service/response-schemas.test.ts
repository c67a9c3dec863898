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
