/**
 * Re-importing a member list from the console (issue 25, point 5): the secretary exports her
 * cell's list, corrects it, previews what the file would change, and imports that same file
 * from the preview page without choosing it again. The kept file opens once, for her session only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMeetingScenario, type MeetingScenario } from '../support/meeting-scenario.ts';
import { consoleSignIn, postConsoleForm } from '../support/console-session.ts';
import { linkChat } from '../factories/index.ts';
import type { App } from '../../api/server.ts';
import type { Deps } from '../../api/context.ts';

let t: TestDb;
let deps: Deps;
let app: App;
let s: MeetingScenario;
let cookie: string;
const clock = new TestClock(new Date('2026-12-05T12:00:00Z'));
const unitUrl = () => `/console/units/${s.tree.cellA.id}/members`;

/** The members page's import form, as a browser posts it: its CSRF token, the mode button, the file. */
async function postFile(session: string, mode: 'preview' | 'apply', name: string, data: Buffer) {
  const page = await app.inject({ url: unitUrl(), headers: { cookie: session } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const csrfCookie = String(page.headers['set-cookie'] ?? '')
    .split(',')
    .map((c) => c.trim().split(';')[0])
    .find((c) => c.startsWith('sdv_console_csrf='));
  const b = '----member-import';
  const payload = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="mode"\r\n\r\n${mode}\r\n`),
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n`),
    Buffer.from('Content-Type: text/csv\r\n\r\n'),
    data,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return app.inject({
    method: 'POST',
    url: `${unitUrl()}/import`,
    headers: { cookie: `${session}; ${csrfCookie}`, 'content-type': `multipart/form-data; boundary=${b}` },
    payload,
  });
}
const phoneOf = async (id: number) => (await t.db.query(`select phone from members where id = $1`, [id]))[0].phone;
const draftOf = (html: string) => /name="draft" value="([^"]+)"/.exec(html)?.[1];

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
  s = await makeMeetingScenario(app, t.db, { official: 3, startsAt: '2026-12-05T12:00:00Z', open: false });
  await linkChat(t.db, s.sec.member, 'telegram', '8803', 'default');
  cookie = await consoleSignIn(app, deps, '8803');
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('a corrected member list, previewed then imported', () => {
  it('imports the previewed file from the preview page, once, without choosing it again', async () => {
    const exported = await app.inject({ url: `/console/units/${s.tree.cellA.id}/members.csv`, headers: { cookie } });
    expect(exported.statusCode).toBe(200);
    const member = s.officials[0];
    const lines = exported.body.split('\n');
    const row = lines.findIndex((l) => l.includes(member.fullName));
    const columns = lines[row].split(',');
    columns[4] = '0912345678';
    lines[row] = columns.join(',');
    const corrected = Buffer.from(lines.join('\n'));

    const preview = await postFile(cookie, 'preview', 'danh-sach-sua.csv', corrected);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Xem trước tệp danh-sach-sua.csv (chưa lưu): sẽ thêm 0, cập nhật 1, giữ nguyên');
    expect(preview.body).toContain('Sẽ cập nhật (1)');
    expect(preview.body).toContain('<button type="submit">Nhập danh sách này</button>');
    expect(await phoneOf(member.id)).not.toBe('0912345678');
    const draft = draftOf(preview.body)!;

    // Another console session of the same secretary cannot open this preview's file.
    const other = await consoleSignIn(app, deps, '8803');
    const foreign = await postConsoleForm(app, other, unitUrl(), `${unitUrl()}/import-draft`, { draft });
    expect(foreign.statusCode).toBe(410);
    expect(foreign.body).toContain('Bản xem trước này không còn');

    const applied = await postConsoleForm(app, cookie, unitUrl(), `${unitUrl()}/import-draft`, { draft });
    expect(applied.statusCode).toBe(200);
    expect(applied.body).toContain('Đã thêm 0, cập nhật 1, giữ nguyên');
    expect(applied.body).toContain('đảng viên. Tệp: danh-sach-sua.csv.');
    expect(applied.body).toContain('Đã cập nhật (1)');
    expect(await phoneOf(member.id)).toBe('0912345678');

    // Pressed twice (a double submit, the back button): nothing happens again, and the page says why.
    const again = await postConsoleForm(app, cookie, unitUrl(), `${unitUrl()}/import-draft`, { draft });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('Xin chọn tệp và xem trước lại.');
    expect((await t.db.query(`select count(*)::int n from member_import_drafts`))[0].n).toBe(0);
  });

  it('a preview older than half an hour is not imported', async () => {
    const csv = await app.inject({ url: `/console/units/${s.tree.cellA.id}/members.csv`, headers: { cookie } });
    const preview = await postFile(cookie, 'preview', 'ds.csv', Buffer.from(csv.body));
    const draft = draftOf(preview.body)!;
    clock.advance(31 * 60_000);
    const late = await postConsoleForm(app, cookie, unitUrl(), `${unitUrl()}/import-draft`, { draft });
    expect(late.statusCode).toBe(410);
    expect(late.body).toContain('quá 30 phút');
  });
});
