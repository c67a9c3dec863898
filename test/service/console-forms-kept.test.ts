/**
 * A console form that is refused keeps what was typed and says what to fix (issue 25 point 6):
 * the page the form lives on comes back with that form filled in as typed, the reason at the
 * top (with a link down to the form) and inside the form, and nothing changed. Typed right, the
 * same form goes through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMeetingScenario, type MeetingScenario } from '../support/meeting-scenario.ts';
import { consoleSignIn, postConsoleForm } from '../support/console-session.ts';
import { linkChat } from '../factories/index.ts';
import { grantRole } from '../../api/auth/roles.ts';
import { updateFeedback } from '../../api/feedback/feedback.ts';
import type { App } from '../../api/server.ts';
import type { Deps } from '../../api/context.ts';

let t: TestDb;
let deps: Deps;
let app: App;
let s: MeetingScenario;
let cookie: string;
const clock = new TestClock(new Date('2026-12-05T12:00:00Z'));
const meetingUrl = () => `/console/meetings/${s.meetingId}`;
const count = async (sql: string) => (await t.db.query<{ n: number }>(sql))[0].n;

/** Posts a form of the page at `pageUrl`; expects it refused with a page, not a redirect. */
async function refused(pageUrl: string, action: string, fields: object) {
  const res = await postConsoleForm(app, cookie, pageUrl, action, fields);
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  // The reason at the top links down to the form, which says it again.
  expect(res.body).toContain('<a href="#bieu-mau-bi-tu-choi">Sửa ở biểu mẫu</a>');
  expect(res.body).toContain('id="bieu-mau-bi-tu-choi"');
  expect(res.body).toContain('Chưa lưu gì; xin sửa rồi gửi lại.');
  return res.body;
}

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
  s = await makeMeetingScenario(app, t.db, { official: 6, startsAt: '2026-12-05T12:00:00Z' });
  await linkChat(t.db, s.sec.member, 'telegram', '8802', 'default');
  cookie = await consoleSignIn(app, deps, '8802');
  await s.checkIn(s.officials.slice(0, 3), 'online');
  await s.checkIn(s.officials.slice(3), 'room');
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('a refused console form keeps what was typed', () => {
  it('the motion form: a resolution cannot be a secret ballot', async () => {
    const motions = () => count(`select count(*)::int n from motions`);
    const before = await motions();
    const body = await refused(meetingUrl(), `${meetingUrl()}/motions`, {
      kind: 'resolution',
      ballot: 'secret',
      title: 'Thông qua kế hoạch trồng cây dịp Tết',
    });
    expect(body).toContain('Thông qua nghị quyết phải biểu quyết công khai theo quy định.');
    expect(body).toContain('name="title" required maxlength="500" style="width:100%" value="Thông qua kế hoạch');
    expect(body).toContain('<option value="secret" selected>Bỏ phiếu kín</option>');
    expect(await motions()).toBe(before);
  });

  it('the paper count: more ballots than members in the room', async () => {
    const res = await postConsoleForm(app, cookie, meetingUrl(), `${meetingUrl()}/motions`, {
      kind: 'admission',
      ballot: 'secret',
      title: 'Kết nạp quần chúng Trần Văn Mới',
    });
    expect(res.statusCode).toBe(303);
    const [motion] = (await s.get(`/meetings/${s.meetingId}`)).json().motions;
    const body = await refused(meetingUrl(), `${meetingUrl()}/motions/${motion.id}/paper`, {
      key: ['for', 'against', 'abstain'],
      count: ['2', '2', '1'],
      countingCommittee: 'Đồng chí Hà, đồng chí Lâm',
    });
    expect(body).toContain('Số phiếu giấy (5) vượt số đảng viên có quyền biểu quyết điểm danh tại phòng họp (3).');
    // Each count back in its own box, and the committee as typed.
    expect(body).toMatch(/name="key" value="for"><input [^>]+value="2">/);
    expect(body).toMatch(/name="key" value="abstain"><input [^>]+value="1">/);
    expect(body).toContain('value="Đồng chí Hà, đồng chí Lâm"');
    const [row] = await t.db.query(`select room_counts from motions where id = $1`, [motion.id]);
    expect(row.room_counts ?? {}).toEqual({});
  });

  it('chair and minute-taker: nobody is preselected, and saving without choosing asks again', async () => {
    const page = (await app.inject({ url: meetingUrl(), headers: { cookie } })).body;
    expect(page).toMatch(/<select id="ochair" name="chairMemberId"><option value="" selected>— chưa chọn —/);
    const chair = String(s.officials[1].id);
    const body = await refused(meetingUrl(), `${meetingUrl()}/officers`, {
      chairMemberId: chair,
      minuteTakerMemberId: '',
    });
    expect(body).toContain('Xin chọn đồng chí thư ký.');
    expect(body).toMatch(new RegExp(`id="ochair" name="chairMemberId">.*<option value="${chair}" selected>`, 's'));
    const ok = await postConsoleForm(app, cookie, meetingUrl(), `${meetingUrl()}/officers`, {
      chairMemberId: chair,
      minuteTakerMemberId: String(s.officials[2].id),
    });
    expect(ok.statusCode).toBe(303);
    const after = (await app.inject({ url: meetingUrl(), headers: { cookie } })).body;
    expect(after).toContain(`<option value="${chair}" selected>`);
  });

  it('leaving a unit out of the figures without a reason', async () => {
    await grantRole(t.db, s.sec.principal.id, s.tree.cellA.id, 'admin');
    const unitUrl = `/console/units/${s.tree.cellA.id}`;
    const excluded = () => count(`select count(*)::int n from orgs where not deployed`);
    const before = await excluded();
    const body = await refused(unitUrl, `${unitUrl}/exclusions`, {
      orgId: String(s.tree.cellA.id),
      deployed: 'false',
      reason: '   ',
    });
    expect(body).toContain('Cần nêu lý do đơn vị không triển khai.');
    expect(body).toContain('<option value="false" selected>Không tính (nêu lý do)</option>');
    expect(await excluded()).toBe(before);
  });

  it('a document of a kind the assistant does not read: the title typed stays, the file is asked again', async () => {
    await grantRole(t.db, s.sec.principal.id, s.tree.cellA.id, 'editor');
    const url = `/console/units/${s.tree.cellA.id}/knowledge`;
    const page = await app.inject({ url, headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const csrfCookie = String(page.headers['set-cookie'])
      .split(',')
      .map((c) => c.trim().split(';')[0])
      .find((c) => c.startsWith('sdv_console_csrf='));
    const b = '----kb-form';
    const part = (name: string, value: string, file = '') =>
      `--${b}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"` : ''}\r\n\r\n` +
      `${value}\r\n`;
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { cookie: `${cookie}; ${csrfCookie}`, 'content-type': `multipart/form-data; boundary=${b}` },
      payload:
        part('_csrf', csrf) +
        part('title', 'Quy định về đảng phí') +
        part('file', 'PK', 'bang-tinh.ods') +
        `--${b}--\r\n`,
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.body).toContain('id="bieu-mau-bi-tu-choi"');
    expect(res.body).toContain('Chưa tải lên; xin chọn lại tệp.');
    expect(res.body).toContain('name="title" maxlength="300" style="width:100%" value="Quy định về đảng phí"');
    expect(await count(`select count(*)::int n from kb_jobs`)).toBe(0);
  });
});

describe('a feedback answer that is refused is not lost', () => {
  const feedbackUrl = () => `/console/units/${s.tree.cellA.id}/feedback`;
  const newFeedback = async (body: string) =>
    (
      await t.db.query<{ id: number }>(
        `insert into feedback (member_id, org_id, body, created_at) values ($1, $2, $3, now()) returning id`,
        [s.officials[1].id, s.tree.cellA.id, body],
      )
    )[0].id;

  it('an empty answer: the form says so, in place', async () => {
    const id = await newFeedback('Đèn hội trường bị hỏng.');
    const body = await refused(feedbackUrl(), `/console/feedback/${id}/answer`, {
      unitId: String(s.tree.cellA.id),
      answer: '   ',
    });
    expect(body).toContain('Cần nội dung trả lời.');
    expect(body).toMatch(new RegExp(`action="/console/feedback/${id}/answer">[^]*id="bieu-mau-bi-tu-choi"`));
    expect((await t.db.query<{ status: string }>(`select status from feedback where id = $1`, [id]))[0].status).toBe(
      'received',
    );
  });

  it('answered by someone else meanwhile: their answer stands, and what she wrote is shown to keep', async () => {
    const id = await newFeedback('Xin lùi buổi họp tháng sau một ngày.');
    const page = (await app.inject({ url: feedbackUrl(), headers: { cookie } })).body;
    expect(page).toContain(`action="/console/feedback/${id}/answer"`);
    // The deputy answers first, from another computer.
    await updateFeedback(deps, s.sec.principal, id, { status: 'answered', answer: 'Chi ủy đồng ý lùi sang thứ Sáu.' });
    const res = await postConsoleForm(app, cookie, feedbackUrl(), `/console/feedback/${id}/answer`, {
      unitId: String(s.tree.cellA.id),
      answer: 'Chi bộ sẽ bàn ở buổi họp tới.',
    });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('<a href="#bieu-mau-bi-tu-choi">Sửa ở biểu mẫu</a>');
    expect(res.body).toContain('Chi ủy đồng ý lùi sang thứ Sáu.');
    expect(res.body).toContain('Câu trả lời đồng chí vừa viết (chưa gửi): Chi bộ sẽ bàn ở buổi họp tới.');
    const [row] = await t.db.query<{ answer: string }>(`select answer from feedback where id = $1`, [id]);
    expect(row.answer).toBe('Chi ủy đồng ý lùi sang thứ Sáu.');
  });
});
