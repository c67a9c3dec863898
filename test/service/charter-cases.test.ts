/**
 * The Charter cases of issue 26, each through the HTTP API as a secretary would run it:
 * what a probationary member may receive, the candidate list's surplus and a nominee's
 * introduction vote, a congress's quorum, recognition as an official member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMeetingScenario } from '../support/meeting-scenario.ts';
import type { App } from '../../api/server.ts';

let t: TestDb;
let app: App;
const clock = new TestClock(new Date('2026-12-05T12:00:00Z'));

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db, clock));
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const motionsOf = async (meetingId: number) =>
  (await t.db.query(`select 1 from motions where meeting_id = $1`, [meetingId])).length;

describe('a probationary member cannot be expelled, nor given a form the rules forbid', () => {
  it('refuses expulsion of a probationary member, says why, and opens nothing', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 19, probationary: 1, startsAt: '2026-12-05T12:00:00Z' });
    const [p] = s.probationary;
    const res = await s.post(`/meetings/${s.meetingId}/motions`, {
      kind: 'expulsion',
      title: 'Khai trừ đồng chí Dự Bị 1',
      subjectMemberId: p.id,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe(
      'Đồng chí Dự Bị 1 là đảng viên dự bị: chỉ có thể bị kỷ luật khiển trách hoặc cảnh cáo, ' +
        'không thể khai trừ (QĐ 22-QĐ/TW 2021, Điều 15; QĐ 296-QĐ/TW 30/5/2025).',
    );
    expect(await motionsOf(s.meetingId)).toBe(0);
    // Named only in the title (as typed in chat): the subject is found on the roll all the same.
    const typed = await s.post(`/meetings/${s.meetingId}/motions`, {
      kind: 'expulsion',
      title: 'Xem xét khai trừ đồng chí dự bị 1',
    });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().message).toMatch(/^Đồng chí Dự Bị 1 là đảng viên dự bị/);
    expect(await motionsOf(s.meetingId)).toBe(0);
  });

  it('a discipline ballot over a probationary member refuses khai trừ and cách chức, saying why', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 5, probationary: 1, startsAt: '2026-12-05T12:00:00Z' });
    await s.checkIn(s.officials.slice(1, 3), 'online');
    await s.checkIn(s.officials.slice(3, 5), 'room');
    const [p] = s.probationary;
    const open = await s.post(`/meetings/${s.meetingId}/motions`, {
      kind: 'discipline',
      title: 'Kỷ luật đồng chí Dự Bị 1',
      subjectMemberId: p.id,
    });
    expect(open.json().options).toEqual(['canh_cao', 'khien_trach', 'khong_ky_luat']);
    const motionId = open.json().id;
    for (const choice of ['khai_tru', 'cach_chuc']) {
      const vote = await s.post(`/motions/${motionId}/votes`, { choice }, s.officials[1]);
      expect(vote.statusCode).toBe(400);
      expect(vote.json().message).toBe(
        `${choice === 'khai_tru' ? 'Khai trừ' : 'Cách chức'} không áp dụng với đảng viên dự bị: ` +
          'chỉ có thể khiển trách hoặc cảnh cáo. Lựa chọn phải là: Cảnh cáo, Khiển trách, Không kỷ luật.',
      );
    }
    const paper = await s.post(`/motions/${motionId}/paper-ballots`, {
      counts: { khai_tru: 2 },
      countingCommittee: 'Ban kiểm phiếu',
    });
    expect(paper.statusCode).toBe(400);
    expect(paper.json().message).toMatch(/^Khai trừ không áp dụng với đảng viên dự bị/);
    expect(await t.db.query(`select 1 from ballot_box where motion_id = $1`, [motionId])).toEqual([]);
  });
});
