/**
 * Time as the member lives it (issue 24): a reminder names the Vietnam day (a 19:00 meeting
 * today is "hôm nay", never "ngày mai"), nothing is pushed in the quiet hours (21:30–06:30 by
 * default) unless urgent — it goes when they end —, and opening a meeting hours before its time
 * asks for a confirmation. The server's clock is UTC; the clock here is set in UTC too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { TestClock, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';
import { parseQuietHours, DEFAULT_QUIET_HOURS } from '../../api/config.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { runDueReminders } from '../../api/meetings/run-due-reminders.ts';
import { publishNotice } from '../../api/notices/publish-notice.ts';
import { runDueNoticeJobs } from '../../api/notices/manage-notice.ts';
import type { Deps } from '../../api/context.ts';

let t: TestDb;
let deps: Deps;
const clock = new TestClock(new Date('2026-12-07T03:00:00Z'));
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let sec: Awaited<ReturnType<typeof makeSecretary>>;

const texts = async (kind: string) =>
  (
    await t.db.query<{ text: string }>(
      `select payload->>'text' as text from outbox_messages where kind = $1 and member_id = $2 order by id`,
      [kind, sec.member.id],
    )
  ).map((r) => r.text);

beforeAll(async () => {
  t = await createTestDb();
  const base = testDeps(t.db, clock);
  deps = { ...base, config: { ...base.config, quietHours: parseQuietHours(DEFAULT_QUIET_HOURS) } };
  tree = await makeOrgTree(t.db);
  sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Bí Thư Giờ' });
  await linkChat(t.db, sec.member, 'telegram', '5550001');
  await linkChat(t.db, await makeMember(t.db, tree.cellA), 'telegram', '5550002');
});
afterAll(async () => {
  await t?.close();
});

describe('a reminder names the Vietnam day', () => {
  it('at 10:00 in Vietnam, a meeting at 19:00 the same day is "hôm nay", at the right hour', async () => {
    clock.set('2026-12-07T03:00:00Z'); // 10:00 in Vietnam, 7 December
    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellA.id,
      kind: 'regular',
      startsAt: new Date('2026-12-07T12:00:00Z'), // 19:00 in Vietnam
      mode: 'hybrid',
    });
    expect(await runDueReminders(deps)).toBeGreaterThan(0);
    const [text] = await texts('meeting.reminder');
    expect(text).toContain('chi bộ hôm nay, lúc 19:00 ngày 07/12/2026');
    expect(text).not.toContain('ngày mai');

    // The same meeting opened at 10:00 is nine hours early: a confirmation first, nothing changed.
    await expect(openMeeting(deps, sec.principal, meeting.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('lúc 19:00 ngày 07/12/2026 (giờ Việt Nam), còn 9 giờ 0 phút nữa'),
    });
    const [still] = await t.db.query<{ status: string }>(`select status from meetings where id = $1`, [meeting.id]);
    expect(still.status).toBe('scheduled');
    const opened = await openMeeting(deps, sec.principal, meeting.id, { confirmEarly: true });
    expect(opened.status).toBe('in_progress');
    const [audit] = await t.db.query<{ details: { openedMinutesEarly: number } }>(
      `select details from audit_log where action = 'meeting.opened' and subject_id = $1`,
      [String(meeting.id)],
    );
    expect(audit.details.openedMinutesEarly).toBe(540);
  });
});

describe('quiet hours', () => {
  it('a reminder due at 22:00 waits until 06:30 and then says "hôm nay"', async () => {
    clock.set('2026-12-08T15:00:00Z'); // 22:00 in Vietnam, 8 December
    await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellA.id,
      kind: 'regular',
      startsAt: new Date('2026-12-09T11:00:00Z'), // 18:00 on 9 December
      mode: 'hybrid',
    });
    const before = (await texts('meeting.reminder')).length;
    expect(await runDueReminders(deps)).toBe(0);
    clock.set('2026-12-08T21:40:00Z'); // 04:40: still quiet
    expect(await runDueReminders(deps)).toBe(0);
    expect((await texts('meeting.reminder')).length).toBe(before);
    clock.set('2026-12-08T23:30:00Z'); // 06:30
    expect(await runDueReminders(deps)).toBeGreaterThan(0);
    const after = (await texts('meeting.reminder')).slice(before);
    expect(after).toEqual([expect.stringContaining('chi bộ hôm nay, lúc 18:00 ngày 09/12/2026')]);
  });

  it('a notice published at 23:00 goes at 06:30; an urgent one goes at once', async () => {
    clock.set('2026-12-09T16:00:00Z'); // 23:00 in Vietnam
    const admin = await makeUserWithRole(t.db, tree.province, 'admin');
    const calm = await publishNotice(deps, sec.principal, {
      orgId: tree.cellA.id,
      kind: 'notice',
      title: 'Lịch sinh hoạt tháng 1',
      body: 'Chi bộ họp ngày 5/1.',
    });
    expect(calm.recipients).toBe(0);
    expect(calm.publishAt.toISOString()).toBe('2026-12-09T23:30:00.000Z');
    const urgent = await publishNotice(deps, admin.principal, {
      orgId: tree.cellA.id,
      kind: 'notice',
      title: 'Khẩn: phòng chống bão',
      body: 'Các đồng chí chủ động phòng chống bão số 9.',
      paidBroadcast: true,
    });
    expect(urgent.recipients).toBeGreaterThan(0);
    clock.set('2026-12-09T20:00:00Z'); // 03:00
    await runDueNoticeJobs(deps);
    expect(await texts('notice')).toEqual([expect.stringContaining('Khẩn: phòng chống bão')]);
    clock.set('2026-12-09T23:31:00Z'); // 06:31
    await runDueNoticeJobs(deps);
    expect(await texts('notice')).toEqual([
      expect.stringContaining('Khẩn: phòng chống bão'),
      expect.stringContaining('Lịch sinh hoạt tháng 1'),
    ]);
  });

  it('QUIET_HOURS is read as Vietnam time, "off" turns it off, and a malformed value is refused', () => {
    expect(parseQuietHours('21:30-06:30')).toEqual({ start: 1290, end: 390 });
    expect(parseQuietHours('off')).toBeNull();
    expect(() => parseQuietHours('25:00-06:00')).toThrow(/QUIET_HOURS/);
  });
});
