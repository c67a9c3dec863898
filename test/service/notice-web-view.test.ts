/**
 * "Đã đọc" on the notice's web view, as a browser sends it (issue 24, blocker 1): the button
 * is a plain HTML form, so the post comes as application/x-www-form-urlencoded (with an empty
 * body), or with no body at all from an old browser. Either way the read is recorded once and
 * the member lands on a Vietnamese page — never a 415 or raw JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMember, makeOrgTree, makeUserWithRole } from '../factories/index.ts';
import { signLink } from '../../api/http/signed-link.ts';
import type { App } from '../../api/server.ts';

let t: TestDb;
let app: App;
const clock = new TestClock(new Date('2026-03-10T01:00:00Z'));
let link: string;
let memberId: number;
let noticeId: number;

const readAt = async () =>
  (
    await t.db.query<{ readAt: Date | null }>(
      `select read_at as "readAt" from notice_recipients where notice_id = $1 and member_id = $2`,
      [noticeId, memberId],
    )
  )[0].readAt;

beforeAll(async () => {
  t = await createTestDb();
  const deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
  const tree = await makeOrgTree(t.db);
  const admin = await makeUserWithRole(t.db, tree.province, 'admin');
  memberId = (await makeMember(t.db, tree.cellA)).id;
  const res = await app.inject({
    method: 'POST',
    url: `/orgs/${tree.cellA.id}/notices`,
    headers: { authorization: `Bearer ${admin.token}` },
    payload: { kind: 'notice', title: 'Lịch sinh hoạt tháng 3', body: 'Chi bộ họp ngày **15/3**.' },
  });
  expect(res.statusCode).toBe(201);
  noticeId = res.json().id;
  link = `/n/${signLink(deps.linkSecret, 'notice', [noticeId, memberId], new Date('2026-04-10T00:00:00Z'))}`;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('"Đã đọc" pressed in a browser', () => {
  it('a form post (urlencoded, empty body) records the read and leads to a Vietnamese page saying so', async () => {
    const page = await app.inject({ method: 'GET', url: link });
    expect(page.body).toContain(`<form method="post" action="${link}/read">`);
    const res = await app.inject({
      method: 'POST',
      url: `${link}/read`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(link);
    const first = await readAt();
    expect(first).not.toBeNull();
    const after = await app.inject({ method: 'GET', url: res.headers.location as string });
    expect(after.headers['content-type']).toMatch(/^text\/html/);
    expect(after.body).toContain('Đồng chí đã xác nhận đã đọc');
    expect(after.body).not.toContain('<button type="submit">Đã đọc</button>');

    // The same form posted again (a double tap, the back button): counted once, same page.
    clock.advance(60_000);
    const again = await app.inject({
      method: 'POST',
      url: `${link}/read`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'x=1',
    });
    expect(again.statusCode).toBe(303);
    expect((await readAt())?.getTime()).toBe(first!.getTime());
  });

  it('a body-less post and a text/plain post work too', async () => {
    const bare = await app.inject({ method: 'POST', url: `${link}/read` });
    expect(bare.statusCode).toBe(303);
    const plain = await app.inject({
      method: 'POST',
      url: `${link}/read`,
      headers: { 'content-type': 'text/plain' },
      payload: '',
    });
    expect(plain.statusCode).toBe(303);
  });

  it('a broken or expired link answers a Vietnamese HTML page, not JSON, and records nothing', async () => {
    const forged = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`;
    const res = await app.inject({
      method: 'POST',
      url: `${forged}/read`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: '',
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Đường dẫn không hợp lệ hoặc đã hết hạn');
    expect(res.body).not.toContain('"error"');
    const get = await app.inject({ method: 'GET', url: forged, headers: { accept: 'text/html' } });
    expect(get.statusCode).toBe(403);
    expect(get.headers['content-type']).toMatch(/^text\/html/);
  });
});
