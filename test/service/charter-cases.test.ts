/**
 * The Charter cases of issue 26, each through the HTTP API as a secretary would run it:
 * what a probationary member may receive, the candidate list's surplus and a nominee's
 * introduction vote, a congress's quorum, recognition as an official member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMeetingScenario } from '../support/meeting-scenario.ts';
import { makeMember } from '../factories/index.ts';
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

describe('the candidate list of an election (QĐ 190-QĐ/TW 2024, Điều 14; rules.md §8)', () => {
  const committee = (ids: number[]) => ids.map((memberId) => ({ memberId, nominatedBy: 'committee' }));

  it('refuses a surplus over 30 % of the seats, with the arithmetic; 6 for 5 seats is accepted', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 19, startsAt: '2026-12-05T12:00:00Z' });
    await s.checkIn(s.officials.slice(0, 15), 'online');
    await s.checkIn(s.officials.slice(15), 'room');
    const ids = s.officials.slice(1, 9).map((m) => m.id);
    const election = (n: number) =>
      s.post(`/meetings/${s.meetingId}/elections`, {
        body: 'committee',
        title: 'Bầu chi ủy',
        seats: 5,
        candidates: committee(ids.slice(0, n)),
      });
    for (const [n, share] of [
      [7, '40 %'],
      [8, '60 %'],
    ] as const) {
      const refused = await election(n);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().message).toBe(
        `Danh sách ${n} người cho 5 suất: số dư ${n - 5} (${share}) vượt mức tối đa ` +
          'trên 30 % số lượng cần bầu (tối đa 1 người, tức 6 người ứng cử) — QĐ 190-QĐ/TW 2024, Điều 14.',
      );
    }
    expect(await motionsOf(s.meetingId)).toBe(0);
    const ok = await election(6);
    expect(ok.statusCode).toBe(201);
    // The list is full: one more, even introduced by the meeting, would exceed the surplus.
    const more = await s.post(`/motions/${ok.json().id}/candidates`, { memberId: ids[6], nominatedBy: 'nominated' });
    expect(more.statusCode).toBe(400);
    expect(more.json().message).toMatch(/^Danh sách 7 người cho 5 suất: số dư 2 \(40 %\) vượt mức tối đa/);
  });

  it('a one-seat election may have two candidates: the one-person minimum is a default, and says so', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 9, startsAt: '2026-12-05T12:00:00Z' });
    await s.checkIn(s.officials, 'online');
    const [a, b, c] = s.officials.slice(1, 4).map((m) => m.id);
    const two = await s.post(`/meetings/${s.meetingId}/elections`, {
      body: 'secretary',
      title: 'Bầu bí thư',
      seats: 1,
      candidates: committee([a, b]),
    });
    expect(two.statusCode).toBe(201);
    const three = await s.post(`/meetings/${s.meetingId}/elections`, {
      body: 'deputy',
      title: 'Bầu phó bí thư',
      seats: 1,
      candidates: committee([a, b, c]),
    });
    expect(three.statusCode).toBe(400);
    expect(three.json().message).toContain(
      '(tối đa 1 người, tức 2 người ứng cử; với ít suất, được dư ít nhất 1 người: mặc định, ' +
        'chưa có quy định xác nhận — có thể điều chỉnh)',
    );
  });

  it('a nominee the committee did not propose is listed only when over 30 % of those attending agree', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 19, startsAt: '2026-12-05T12:00:00Z' });
    const online = s.officials.slice(0, 15);
    await s.checkIn(online, 'online');
    await s.checkIn(s.officials.slice(15), 'room');
    const [a, b, c, d, e, nominee, self] = s.officials.slice(1, 8);
    const opened = await s.post(`/meetings/${s.meetingId}/elections`, {
      body: 'committee',
      title: 'Bầu chi ủy',
      seats: 5,
      candidates: committee([a, b, c, d, e].map((m) => m.id)),
    });
    const electionId = opened.json().id;
    const introduce = async (member: typeof a, nominatedBy: 'nominated' | 'self', forVotes: number) => {
      const who = nominatedBy === 'self' ? member : undefined;
      const res = await s.post(`/motions/${electionId}/candidates`, { memberId: member.id, nominatedBy }, who);
      const intro = res.json().introduction;
      for (const m of online.slice(0, forVotes)) await s.post(`/motions/${intro.id}/votes`, { choice: 'for' }, m);
      for (const m of online.slice(forVotes)) await s.post(`/motions/${intro.id}/votes`, { choice: 'against' }, m);
      await s.post(`/motions/${intro.id}/paper-ballots`, {
        counts: { against: 4 },
        countingCommittee: 'Ban kiểm phiếu',
      });
      return { res, intro, closed: await s.post(`/motions/${intro.id}/close`) };
    };

    // A self-nominee: not on the list yet, an introduction ballot opens (secret); the election's
    // ballots wait until it is decided. 5 of the 19 attending agree: not more than 30 %.
    const res = await s.post(`/motions/${electionId}/candidates`, { memberId: self.id, nominatedBy: 'self' }, self);
    expect(res.statusCode).toBe(200);
    expect(res.json().candidates).toHaveLength(5);
    const intro = res.json().introduction;
    expect(intro).toMatchObject({ kind: 'introduction', ballot: 'secret', subjectMemberId: self.id });
    expect(intro.title).toBe('Giới thiệu đồng chí Đảng Viên 07 vào danh sách bầu cử: Bầu chi ủy');
    const early = await s.post(`/motions/${electionId}/votes`, { keep: [a.id] }, s.officials[9]);
    expect(early.statusCode).toBe(409);
    expect(early.json().message).toMatch(/danh sách bầu cử chưa chốt/);
    for (const m of online.slice(0, 5)) await s.post(`/motions/${intro.id}/votes`, { choice: 'for' }, m);
    for (const m of online.slice(5)) await s.post(`/motions/${intro.id}/votes`, { choice: 'against' }, m);
    await s.post(`/motions/${intro.id}/paper-ballots`, { counts: { against: 4 }, countingCommittee: 'Ban kiểm phiếu' });
    const failed = (await s.post(`/motions/${intro.id}/close`)).json();
    expect(failed).toMatchObject({ passed: false, base: 19, needed: 6, threshold: 'trên 30 %' });
    expect(failed.text).toContain('Cần trên 30 % của 19 đảng viên có mặt (tối thiểu 6).');
    expect(failed.text).toContain('Đồng chí Đảng Viên 07 không được đưa vào danh sách bầu cử.');

    // A member nominated by another, 6 of 19 agreeing (more than 30 % of 19 is 6): on the list.
    const { closed } = await introduce(nominee, 'nominated', 6);
    expect(closed.json()).toMatchObject({ passed: true, needed: 6 });
    expect(closed.json().text).toContain('Đồng chí Đảng Viên 06 được đưa vào danh sách bầu cử.');
    const keep = await s.post(`/motions/${electionId}/votes`, { keep: [a.id, nominee.id] }, s.officials[9]);
    expect(keep.statusCode).toBe(200);
    const refused = await s.post(`/motions/${electionId}/votes`, { keep: [self.id] }, s.officials[10]);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/chỉ giữ tên người trong danh sách ứng cử/);
  });
});

describe('a congress is valid when more than 2/3 of those summoned attend [unconfirmed: a setting]', () => {
  it('refuses an election with 12 of 19 present, says the rule is a default setting; 13 is enough', async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 19, startsAt: '2026-12-05T12:00:00Z' });
    await s.checkIn(s.officials.slice(0, 12), 'online');
    const open = () =>
      s.post(`/meetings/${s.meetingId}/elections`, {
        body: 'secretary',
        title: 'Bầu bí thư',
        seats: 1,
        candidates: [{ memberId: s.officials[1].id, nominatedBy: 'committee' }],
      });
    const refused = await open();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toBe(
      'Đại hội chưa hợp lệ để bầu cử: 12/19 đảng viên được triệu tập có mặt, cần trên 2/3 (tối thiểu 13) ' +
        '(mặc định, chưa có quy định xác nhận — có thể điều chỉnh).',
    );
    await s.checkIn([s.officials[12]], 'online');
    expect((await open()).statusCode).toBe(201);
    // The meeting's live view now judges the quorum by the congress rule, and says it is a default.
    const view = (await s.get(`/meetings/${s.meetingId}`)).json().attendance;
    expect(view.quorum).toMatchObject({ required: 13, reached: true, rule: 'trên 2/3' });
    expect(view.quorum.explanation).toContain('đại hội');
    expect(view.quorum.explanation).toContain('mặc định, chưa có quy định xác nhận — có thể điều chỉnh');
  });
});

describe('recognition as an official member (Điều lệ Đ5; rules.md §3)', () => {
  const scenario = async () => {
    const s = await makeMeetingScenario(app, t.db, { official: 9, startsAt: '2026-12-05T12:00:00Z' });
    await s.checkIn(s.officials, 'online');
    const member = async (fullName: string, admittedOn: string) =>
      makeMember(t.db, s.tree.cellA, { fullName, status: 'probationary', admittedOn, officialOn: null });
    const recognise = (title: string, subjectMemberId?: number) =>
      s.post(`/meetings/${s.meetingId}/motions`, { kind: 'recognition', title, ballot: 'secret', subjectMemberId });
    return { s, member, recognise };
  };

  it('is considered after the 12 months; a vote passed proposes it from the end of the 12 months', async () => {
    const { s, member, recognise } = await scenario();
    const early = await member('Chưa Đủ', '2026-06-01');
    const refused = await recognise('Công nhận chính thức đồng chí Chưa Đủ', early.id);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe(
      'Đồng chí Chưa Đủ chưa hết 12 tháng dự bị (hết ngày 01/06/2027): chưa xét công nhận chính thức được.',
    );
    const official = await recognise('Công nhận chính thức đồng chí Đảng Viên 01', s.officials[1].id);
    expect(official.json().message).toBe('Đồng chí Đảng Viên 01 đã là đảng viên chính thức.');

    const due = await member('Đến Hạn', '2025-11-20');
    // Named in the title, as typed in chat.
    const opened = await recognise('Công nhận đảng viên chính thức cho đồng chí Đến Hạn');
    expect(opened.statusCode).toBe(201);
    expect(opened.json()).toMatchObject({ subjectMemberId: due.id, warnings: [] });
    for (const m of s.officials) await s.post(`/motions/${opened.json().id}/votes`, { choice: 'for' }, m);
    const closed = (await s.post(`/motions/${opened.json().id}/close`)).json();
    expect(closed.passed).toBe(true);
    expect(closed.text).toContain(
      'Đề nghị cấp ủy cấp trên quyết định công nhận đồng chí Đến Hạn là đảng viên chính thức, ' +
        'tính từ ngày 20/11/2026 (hết 12 tháng dự bị).',
    );
  });

  it('late past the 30 working days: opened with a warning naming the deadline', async () => {
    const { member, recognise } = await scenario();
    await member('Quá Hạn', '2025-09-01');
    const opened = await recognise('Công nhận chính thức đồng chí Quá Hạn');
    expect(opened.statusCode).toBe(201);
    expect(opened.json().warnings).toEqual([
      'Đã quá thời hạn xét công nhận: 30 ngày làm việc sau khi hết 12 tháng dự bị (01/09/2026) là ngày 13/10/2026 ' +
        '(ngày làm việc: thứ Hai đến thứ Sáu, chưa trừ ngày lễ).',
    ]);
  });

  it('after three failed votes the cell does not vote again: it goes to the committee above', async () => {
    const { s, member, recognise } = await scenario();
    const m = await member('Ba Lần', '2025-11-20');
    for (let i = 1; i <= 3; i++) {
      const opened = await recognise('Công nhận chính thức đồng chí Ba Lần', m.id);
      expect(opened.statusCode).toBe(201);
      for (const v of s.officials) await s.post(`/motions/${opened.json().id}/votes`, { choice: 'against' }, v);
      const closed = (await s.post(`/motions/${opened.json().id}/close`)).json();
      expect(closed.passed).toBe(false);
      expect(closed.text).toContain(
        i < 3
          ? `Lần biểu quyết thứ ${i} không đạt; chi bộ còn xét lại được ${3 - i} lần.`
          : 'Đã 3 lần biểu quyết không đạt: việc công nhận chính thức do cấp ủy cấp trên xem xét, quyết định.',
      );
    }
    const fourth = await recognise('Công nhận chính thức đồng chí Ba Lần', m.id);
    expect(fourth.statusCode).toBe(409);
    expect(fourth.json().message).toBe(
      'Chi bộ đã biểu quyết 3 lần không đạt việc công nhận chính thức đồng chí Ba Lần: ' +
        'việc này do cấp ủy cấp trên xem xét, quyết định (Điều lệ Đảng 2011, Điều 5).',
    );
  });
});
