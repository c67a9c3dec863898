/**
 * A closed meeting is a record (issue 24, blocker 2): its roll, vote bases, quorum, results and
 * minutes are frozen at close, identical whatever happens to the cell afterwards — members
 * imported, moved, deactivated, suspended, or a rule's version changed. And the secretary who
 * ran it is present in it, never "vắng không lý do".
 */
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMeetingScenario, type MeetingScenario } from '../support/meeting-scenario.ts';
import { consoleSignIn } from '../support/console-session.ts';
import { linkChat, makeUserWithRole } from '../factories/index.ts';
import { QUORUM } from '../../api/rules/meeting-rules.ts';
import type { App } from '../../api/server.ts';
import type { Deps } from '../../api/context.ts';

let t: TestDb;
let deps: Deps;
let app: App;
const clock = new TestClock(new Date('2026-12-05T12:00:00Z'));
let s: MeetingScenario;
let cookie: string;

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

/** Everything a reader sees of the meeting: the API, the console page's record, the minutes in both formats. */
async function readRecord() {
  const api = (await s.get(`/meetings/${s.meetingId}`)).json();
  const page = (await app.inject({ url: `/console/meetings/${s.meetingId}`, headers: { cookie } })).body;
  const docx = await s.get(`/meetings/${s.meetingId}/minutes.docx`);
  const pdf = await s.get(`/meetings/${s.meetingId}/minutes.pdf`);
  const { extractText, getDocumentProxy } = await import('unpdf');
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), { mergePages: true });
  return {
    attendance: api.attendance,
    motions: api.motions,
    console: page.slice(page.indexOf('<h1>'), page.indexOf('<h2>Tài liệu')).replace(/name="_csrf" value="[^"]+"/g, ''),
    docx: (await mammoth.extractRawText({ buffer: docx.rawPayload })).value,
    pdf: String(text),
  };
}

describe('a closed meeting', () => {
  it('lists the secretary who ran it as present, though she never checked herself in', async () => {
    s = await makeMeetingScenario(app, t.db, { official: 10, probationary: 1, startsAt: '2026-12-05T12:00:00Z' });
    await linkChat(t.db, s.sec.member, 'telegram', '9001', 'default');
    cookie = await consoleSignIn(app, deps, '9001');
    await s.checkIn(s.officials.slice(1, 7), 'online');
    await s.checkIn(s.officials.slice(7, 9), 'room');
    const motion = (
      await s.post(`/meetings/${s.meetingId}/motions`, { kind: 'resolution', title: 'Nghị quyết tháng 12' })
    ).json();
    for (const m of s.officials.slice(1, 7)) await s.post(`/motions/${motion.id}/votes`, { choice: 'for' }, m);
    await s.post(`/motions/${motion.id}/show-of-hands`, { for: 2, against: 0, abstain: 0 });
    expect((await s.post(`/motions/${motion.id}/close`)).statusCode).toBe(200);
    clock.set('2026-12-05T13:40:00Z');
    expect((await s.post(`/meetings/${s.meetingId}/close`)).statusCode).toBe(200);
    const { attendance, docx } = await readRecord();
    expect(attendance.present.map((r: { fullName: string }) => r.fullName)).toContain('Bí Thư');
    // In the roll's order: by given name ("09" before "1"), as the cell lists its members.
    expect(attendance.absentWithoutReason.map((r: { fullName: string }) => r.fullName)).toEqual([
      'Đảng Viên 09',
      'Dự Bị 1',
    ]);
    expect(docx).toMatch(/Vắng không lý do: Đảng Viên 09, Dự Bị 1\./);
  });

  it('reads the same after members are imported, moved, deactivated and suspended, and a rule changes', async () => {
    const before = await readRecord();
    expect(before.attendance.quorum.explanation).toMatch(/^9\/10 /);
    expect(before.docx).toContain('Cơ sở tính: 10 chính thức = 10');

    const csv =
      'Họ và tên,Giới tính,Năm sinh,Số thẻ đảng,Loại đảng viên,Ngày kết nạp\n' +
      ['Mới Một', 'Mới Hai', 'Mới Ba', 'Mới Bốn'].map((n, i) => `${n},Nam,1990,NEW00${i},Chính thức,`).join('\n');
    const imported = await app.inject({
      method: 'POST',
      url: `/orgs/${s.tree.cellA.id}/members/import`,
      headers: { authorization: `Bearer ${s.sec.token}`, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imported.json()).toMatchObject({ imported: 4, updated: 0 });
    // Moving a member to another cell needs the right on both: the committee above does it.
    const committee = await makeUserWithRole(t.db, s.tree.committee, 'admin');
    const moved = await app.inject({
      method: 'POST',
      url: `/members/${s.officials[1].id}/transfer`,
      headers: { authorization: `Bearer ${committee.token}` },
      payload: { toCellId: s.tree.cellB.id, transferredOn: '2026-12-06', note: null },
    });
    expect(moved.statusCode).toBe(200);
    const off = await app.inject({
      method: 'PATCH',
      url: `/members/${s.officials[2].id}`,
      headers: { authorization: `Bearer ${s.sec.token}` },
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    const suspended = await s.post(`/members/${s.officials[3].id}/periods`, {
      kind: 'suspended',
      startsOn: '2026-11-01',
      endsOn: null,
      reason: 'Đình chỉ sinh hoạt',
      hostCellId: null,
    });
    expect(suspended.statusCode).toBe(201);
    // A province changes its quorum setting with an effective date before the meeting.
    QUORUM.versions.push({
      value: { num: 1, den: 2, strict: true },
      effectiveFrom: '2026-01-01',
      source: 'Thiết lập của tỉnh (thử)',
      confidence: 'unconfirmed',
    });
    try {
      expect(await readRecord()).toEqual(before);
    } finally {
      QUORUM.versions.pop();
    }
  });
});
