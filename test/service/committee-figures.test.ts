/**
 * Figures that mean what they say (issue 25, point 2): "Hoạt động 30 ngày" counts what members
 * did themselves on the platform, not the secretary ticking them present; and the monthly
 * meetings view lists every cell beneath, those that did not meet too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMeetingScenario } from '../support/meeting-scenario.ts';
import { checkIn } from '../../api/meetings/check-in.ts';
import { getUnitDashboard } from '../../api/console/get-unit-dashboard.ts';
import { getMeetingsMonth } from '../../api/console/get-meetings-month.ts';
import { meetingsMonthPage } from '../../api/console/pages/meetings-page.ts';
import { dashboardPage } from '../../api/console/pages/dashboard-page.ts';
import { getDocumentSettings } from '../../api/orgs/document-settings.ts';
import { linkChat } from '../factories/index.ts';
import { consoleSignIn, postConsoleForm } from '../support/console-session.ts';
import type { Deps } from '../../api/context.ts';
import type { App } from '../../api/server.ts';

let t: TestDb;
let deps: Deps;
let app: App;
const clock = new TestClock(new Date('2026-12-05T12:00:00Z'));

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('active in 30 days', () => {
  it("counts a member's own check-in, not the secretary marking members present", async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 5, startsAt: '2026-12-05T12:00:00Z' });
    const [, a, b, c, d] = s.officials;
    for (const m of [a, b])
      await checkIn(deps, s.sec.principal, { meetingId: s.meetingId, memberId: m.id, method: 'secretary' });
    await s.checkIn([c], 'online');
    await s.checkIn([d], 'room');
    const cell = await getUnitDashboard(deps, s.sec.principal, s.tree.cellA.id);
    expect(cell.totals.active).toBe(2);
    const active = new Map(cell.members!.map((m) => [m.fullName, m]));
    expect(active.get(a.fullName)).toBeTruthy();
  });
});

describe('an excluded unit', () => {
  it('says on its own page why it is left out, with its own member count above its list', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 3, startsAt: '2026-12-05T12:00:00Z', open: false });
    await t.db.query(`update orgs set deployed = false, not_deployed_reason = 'Ngành riêng' where id = $1`, [
      s.tree.cellA.id,
    ]);
    const d = await getUnitDashboard(deps, s.sec.principal, s.tree.cellA.id);
    const page = dashboardPage(d, {
      who: 'Bí Thư',
      csrf: 'x',
      canExclude: false,
      canEditDocuments: false,
      report: {
        documents: await getDocumentSettings(t.db, s.tree.cellA.id, '2026-12-05'),
        canSetDocuments: false,
        months: ['2026-12'],
      },
    });
    expect(page).toContain('Đơn vị không tính vào số liệu của cấp trên: Ngành riêng');
    expect(page).toMatch(/Đảng viên<b>3<\/b>/);
    expect(page).not.toMatch(/Đảng viên<b>0<\/b>/);
  });
});

describe('a console form that fails', () => {
  it('keeps what was typed and says what to fix; nothing is scheduled', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 3, startsAt: '2026-12-05T12:00:00Z', open: false });
    await linkChat(t.db, s.sec.member, 'telegram', 'form-1');
    const cookie = await consoleSignIn(app, deps, 'form-1');
    const count = async () => (await t.db.query(`select count(*)::int n from meetings`))[0].n;
    const before = await count();
    const url = `/console/units/${s.tree.cellA.id}/meetings`;
    const res = await postConsoleForm(app, cookie, url, url, {
      kind: 'regular',
      startsAt: '31/02/2026 19:30',
      mode: 'hybrid',
      place: 'Nhà văn hóa khu 3',
      agenda: 'Kiểm điểm tháng\nPhương hướng tháng tới',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Ngày giờ không hợp lệ: xin nhập ngày/tháng/năm giờ:phút, ví dụ 05/12/2026 19:30.');
    expect(res.body).toContain('value="31/02/2026 19:30"');
    expect(res.body).toContain('value="Nhà văn hóa khu 3"');
    expect(res.body).toContain('Kiểm điểm tháng\nPhương hướng tháng tới</textarea>');
    expect(res.body).toContain('<option value="hybrid" selected>Kết hợp</option>');
    expect(await count()).toBe(before);
    // Typed right, day first, it is scheduled.
    const ok = await postConsoleForm(app, cookie, url, url, {
      kind: 'regular',
      startsAt: '20/12/2026 19:30',
      mode: 'hybrid',
    });
    expect(ok.statusCode).toBe(303);
    expect(await count()).toBe(before + 1);
  });
});

describe('the meetings of a month', () => {
  it('lists every cell beneath, those that did not meet too', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 3, startsAt: '2026-12-05T12:00:00Z' });
    const month = await getMeetingsMonth(deps, s.sec.principal, s.tree.cellA.id, '2026-12');
    expect(month.cells.map((c) => [c.cellName, c.meetings])).toEqual([['Chi bộ A', 0]]);
    const page = meetingsMonthPage(month, { who: 'Bí Thư', csrf: 'x' });
    expect(page).toContain('Chưa có buổi sinh hoạt nào được đóng trên nền tảng trong tháng');
    // The month is chosen from a list written "tháng 12/2026", not the browser's own month input.
    expect(page).toContain('<option value="2026-12" selected>tháng 12/2026</option>');
    expect(page).not.toContain('type="month"');
  });
});
