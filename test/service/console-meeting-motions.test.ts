/**
 * The console's meeting page, as the secretary runs the evening from an office PC (issues 24,
 * 26): the agenda with the schedule, the motion form with the ballot choice and the member
 * concerned, an open ballot's threshold and live count (never its content), the paper count and
 * "không có phiếu giấy", the discipline result with its forms and arithmetic, the chair and
 * minute-taker, the counting committee, and the minutes approved.
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
const clock = new TestClock(new Date('2026-12-05T12:00:00Z'));
let s: MeetingScenario;
let cookie: string;
const pageUrl = () => `/console/meetings/${s.meetingId}`;
const page = async () => (await app.inject({ url: pageUrl(), headers: { cookie } })).body;
const submit = async (path: string, fields: object = {}) => {
  const res = await postConsoleForm(app, cookie, pageUrl(), `${pageUrl()}/${path}`, fields);
  expect({ path, status: res.statusCode, body: res.statusCode === 303 ? '' : res.body }).toEqual({
    path,
    status: 303,
    body: '',
  });
};
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
  s = await makeMeetingScenario(app, t.db, { official: 12, probationary: 1, startsAt: '2026-12-05T12:00:00Z' });
  await linkChat(t.db, s.sec.member, 'telegram', '8801', 'default');
  cookie = await consoleSignIn(app, deps, '8801');
  await s.checkIn(s.officials.slice(0, 8), 'online');
  await s.checkIn(s.officials.slice(8), 'room');
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('the console meeting page', () => {
  it('schedules with the agenda, one item per line', async () => {
    const unit = `/console/units/${s.tree.cellA.id}/meetings`;
    const res = await postConsoleForm(app, cookie, unit, unit, {
      kind: 'regular',
      startsAt: '2026-12-20T19:00',
      mode: 'hybrid',
      place: 'Hội trường',
      agenda: '1. Thông tin thời sự\n2. Nhiệm vụ tháng 1',
    });
    expect(res.statusCode).toBe(303);
    const next = (await app.inject({ url: res.headers.location as string, headers: { cookie } })).body;
    expect(text(next)).toContain('Nội dung họp Thông tin thời sự Nhiệm vụ tháng 1 Nội dung họp (mỗi mục một dòng)');
  });

  it('opens a secret admission ballot: its own threshold, a live count, never the content', async () => {
    const form = await page();
    expect(form).toContain('<select id="mballot" name="ballot">');
    expect(form).toContain('<option value="secret">Bỏ phiếu kín</option>');
    await submit('motions', { kind: 'admission', title: 'Kết nạp quần chúng Lê Mới', ballot: 'secret' });
    const [motion] = (await s.get(`/meetings/${s.meetingId}`)).json().motions;
    expect(motion).toMatchObject({ kind: 'admission', ballot: 'secret' });
    expect(text(await page())).toContain('cần ít nhất 2/3 của 12: 8 phiếu');
    expect(text(await page())).toContain('Đã nhận 0 /8 phiếu trực tuyến');
    for (const m of s.officials.slice(0, 3)) await s.post(`/motions/${motion.id}/votes`, { choice: 'for' }, m);
    const live = text(await page());
    expect(live).toContain('Đã nhận 3 /8 phiếu trực tuyến; phiếu giấy tại phòng họp (4 người): chưa nhập');
    expect(live).not.toMatch(/Tán thành 3|Tán thành \d/);
    // The page's script asks for the count every few seconds: a count and what is missing, nothing else.
    const res = await app.inject({ url: `${pageUrl()}/progress`, headers: { cookie } });
    expect(res.json()).toEqual({
      [motion.id]: {
        received: 3,
        missing: [
          '5/8 đảng viên trực tuyến chưa bỏ phiếu.',
          expect.stringMatching(/^Chưa có số phiếu giấy của 4 đảng viên tại phòng họp/),
        ],
      },
    });
    const page_ = await app.inject({ url: pageUrl(), headers: { cookie } });
    expect(String(page_.headers['content-security-policy'])).toMatch(/script-src 'sha256-[^']+'; connect-src 'self'/);
    expect(page_.body).toContain("x.open('GET', location.pathname + '/progress')");
    // The paper count, then the close.
    await submit(`motions/${motion.id}/paper`, {
      key: ['for', 'against', 'abstain'],
      count: ['4', '0', '0'],
      countingCommittee: 'Đ/c Một',
    });
    await submit(`motions/${motion.id}/close`, { confirm: '1' });
    const closed = text(await page());
    expect(closed).toContain('Tán thành 7, Không tán thành 0, Không biểu quyết 0.');
    expect(closed).not.toContain('qua chat');
  });

  it('a discipline result shows the forms, the cumulative arithmetic and the form adopted', async () => {
    await submit('motions', {
      kind: 'discipline',
      title: 'Kỷ luật đồng chí Đảng Viên 05',
      subjectMemberId: String(s.officials[5].id),
    });
    const motion = (await s.get(`/meetings/${s.meetingId}`)).json().motions.at(-1);
    expect(motion).toMatchObject({ kind: 'discipline', ballot: 'secret', subjectMemberId: s.officials[5].id });
    const chat = ['canh_cao', 'canh_cao', 'khien_trach', 'khien_trach', 'khien_trach', 'khong_ky_luat'];
    for (const [i, m] of s.officials.slice(0, 6).entries())
      await s.post(`/motions/${motion.id}/votes`, { choice: chat[i] }, m);
    await submit(`motions/${motion.id}/paper-none`);
    await submit(`motions/${motion.id}/close`, { confirm: '1' });
    const shown = text(await page());
    expect(shown).toContain('Khai trừ 0, Cách chức 0, Cảnh cáo 2, Khiển trách 3, Không kỷ luật 1.');
    expect(shown).toContain(
      'Khiển trách: khai trừ 0 + cách chức 0 + cảnh cáo 2 + khiển trách 3 = 5 phiếu, cần trên 1/2 của 12 (7)',
    );
    expect(shown).toContain('Không hình thức nào đạt: không kỷ luật.');
    expect(shown).not.toMatch(/Tán thành 5, Không tán thành 1/);
  });

  it('names chair, minute-taker and counting committee, sets the agenda, records the minutes approved', async () => {
    await submit('officers', {
      chairMemberId: String(s.officials[0].id),
      minuteTakerMemberId: String(s.officials[1].id),
    });
    await submit('counting-committee', { memberId: [String(s.officials[9].id), String(s.officials[10].id)] });
    await submit('agenda', { items: 'Thông tin thời sự\nKiểm điểm nghị quyết' });
    await submit('minutes/approve');
    const shown = text(await page());
    expect(shown).toContain('Chủ trì: Bí Thư. Thư ký: Đảng Viên 01.');
    expect(shown).toContain('Ban kiểm phiếu: Đảng Viên 09, Đảng Viên 10.');
    expect(shown).toContain('Nội dung họp Thông tin thời sự Kiểm điểm nghị quyết');
    expect(shown).toContain('Biên bản đã được đọc lại và thông qua lúc');
  });
});
