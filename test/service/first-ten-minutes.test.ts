/**
 * A newcomer's first ten minutes (issue 25, point 1): `/` is a page that leads on, an unknown
 * address or an expired link opened in a browser is a Vietnamese page (API clients keep their
 * JSON), the demo names one sign-in per person a newcomer wants to be — with names and units —
 * and a new link code says that it replaces the earlier one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { prepareDemo } from '../../api/demo/prepare-demo.ts';
import { signLink } from '../../api/http/signed-link.ts';
import type { App } from '../../api/server.ts';

let t: TestDb;
let app: App;
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db));
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('pages a browser reaches', () => {
  it('/ is a Vietnamese page leading to the web chat, the console and the API docs', async () => {
    const res = await app.inject({ url: '/', headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('lang="vi"');
    for (const href of ['/chat', '/console', '/docs']) expect(res.body).toContain(`href="${href}"`);
    expect(res.body).toContain('Trang quản trị');
    expect(res.body).toContain('nhắn “quản trị” cho bot');
  });

  it('/console without a session says who it is for and how to sign in', async () => {
    const res = await app.inject({ url: '/console', headers: BROWSER });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('nhắn “quản trị” cho bot');
    expect(res.body).not.toContain('hết hạn');
  });

  it('an unknown address is a page for a browser and JSON for an API client', async () => {
    const page = await app.inject({ url: '/khong-co-trang-nay', headers: BROWSER });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Không tìm thấy trang');
    expect(page.body).toContain('href="/"');
    expect(page.body).not.toMatch(/"statusCode"|Route GET/);
    const api = await app.inject({ url: '/khong-co-trang-nay' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: 'not_found', message: 'Không có địa chỉ này trên hệ thống.' });
  });

  it('an expired or forged notice link opened in a browser is a page that says so', async () => {
    const past = new Date(Date.now() - 60_000);
    const expired = signLink('test-link-secret', 'notice', [1, 2], past);
    for (const url of [`/n/${expired}`, '/n/1/2/4102444800/forged-signature-0123456789']) {
      const res = await app.inject({ url, headers: BROWSER });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('Đường dẫn không hợp lệ hoặc đã hết hạn.');
    }
    const doc = await app.inject({ url: '/d/1/2/4102444800/forged-signature-0123456789', headers: BROWSER });
    expect(doc.statusCode).toBe(403);
    expect(doc.body).toContain('<title>Không mở được tài liệu — Sổ tay Đảng viên</title>');
  });
});

describe('link codes', () => {
  it('a second code for a member says it replaces the first, which stops working', async () => {
    const tree = await makeOrgTree(t.db);
    const secretary = await makeSecretary(t.db, tree.cellA);
    const member = await makeMember(t.db, tree.cellA);
    const issue = () =>
      app.inject({
        method: 'POST',
        url: `/members/${member.id}/link-codes`,
        headers: { authorization: `Bearer ${secretary.token}` },
      });
    const first = (await issue()).json();
    expect(first.replaced).toBe(0);
    expect(first.howTo).not.toContain('thay thế');
    const second = (await issue()).json();
    expect(second.replaced).toBe(1);
    expect(second.howTo).toContain('Mã này thay thế mã liên kết cấp trước đó; mã cũ không còn dùng được.');
    const [usable] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from link_codes where member_id = $1 and used_at is null and expires_at > now()`,
      [member.id],
    );
    expect(usable.n).toBe(1);
  });
});

describe('the demo banner', () => {
  it('names a member, a cell secretary, a town committee member and an editor, each with a way in', async () => {
    const fresh = await createTestDb();
    try {
      const deps = testDeps(fresh.db);
      const demo = await prepareDemo(deps, 'http://localhost:3000');
      const text = demo.signIn.join('\n');
      expect(text).not.toMatch(/principal/i);
      const people = demo.signIn.filter((l) => l.startsWith('  • '));
      expect(people.map((l) => l.slice(4, l.indexOf(':')))).toEqual([
        'Đảng viên',
        'Bí thư chi bộ',
        'Cấp ủy viên (Đảng ủy Thị trấn)',
        'Biên tập tài liệu cho Trợ lý ảo',
      ]);
      expect(people[0]).toMatch(/đồng chí \S+ .+ — Chi bộ Khu phố 1$/);
      expect(people[2]).toMatch(
        /đồng chí .+ — Đảng bộ Thị trấn Hòa Bình \(demo\) \(sinh hoạt tại Chi bộ Cơ quan Đảng – Đoàn thể\)$/,
      );
      expect(text.match(/\/chat\?code=\S+/g)).toHaveLength(4);
      const consoleLinks = [...text.matchAll(/http:\/\/localhost:3000(\/console\/login\/\S+)/g)].map((m) => m[1]);
      expect(consoleLinks).toHaveLength(3);
      const demoApp = await buildTestApp(deps);
      try {
        for (const link of consoleLinks) {
          const res = await demoApp.inject({ url: link, headers: BROWSER });
          expect(res.statusCode).toBe(200);
        }
      } finally {
        await demoApp.close();
      }
      // A second start keeps the same people (their roles are not granted again to others).
      const again = await prepareDemo(deps, 'http://localhost:3000');
      expect(again.signIn.filter((l) => l.startsWith('  • '))).toEqual(people);
      const [roles] = await fresh.db.query<{ n: number }>(
        `select count(*)::int as n from role_grants g join principals p on p.id = g.principal_id
          where g.role in ('committee', 'editor') and p.member_id is not null`,
      );
      expect(roles.n).toBe(2);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});
