/**
 * A cell meeting through the HTTP API on a real database: schedule, check-in in the room
 * and online, the vote base and quorum, open and secret votes, bad input, concurrency,
 * minutes and the three-part completeness report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mammoth from 'mammoth';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import {
  makeMember,
  makeMemberToken,
  makeOrgTree,
  makePeriod,
  makeSecretary,
  makeUserWithRole,
} from '../factories/index.ts';
import type { App } from '../../api/server.ts';
import type { Member } from '../../api/members/repository.ts';

let t: TestDb;
let app: App;
const clock = new TestClock(new Date('2026-03-10T01:00:00Z'));
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let sec: Awaited<ReturnType<typeof makeSecretary>>;
let otherSec: Awaited<ReturnType<typeof makeSecretary>>;
const tokens = new Map<number, string>();
let officials: Member[] = [];
let probationary: Member;
let exemptAbsent: Member;
let exemptPresent: Member;
let absentWithReason: Member;
let guest: Member;
let outsider: Member;
let meetingId: number;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const as = (m: Member) => auth(tokens.get(m.id)!);
async function tokenFor(m: Member) {
  tokens.set(m.id, await makeMemberToken(t.db, m));
  return m;
}

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db, clock));
  tree = await makeOrgTree(t.db);
  sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Bí Thư Chi Bộ' });
  tokens.set(sec.member.id, sec.token);
  otherSec = await makeSecretary(t.db, tree.cellB);
  officials = [sec.member];
  for (let i = 0; i < 18; i++) officials.push(await tokenFor(await makeMember(t.db, tree.cellA)));
  probationary = await tokenFor(
    await makeMember(t.db, tree.cellA, {
      status: 'probationary',
      admittedOn: '2026-01-10',
      officialOn: null,
      fullName: 'Dự Bị Một',
    }),
  );
  exemptAbsent = await tokenFor(await makeMember(t.db, tree.cellA, { fullName: 'Miễn Vắng Một' }));
  await makePeriod(t.db, exemptAbsent, { kind: 'exempt', startsOn: '2025-01-01' });
  const exemptAbsent2 = await makeMember(t.db, tree.cellA, { fullName: 'Miễn Vắng Hai' });
  await makePeriod(t.db, exemptAbsent2, { kind: 'exempt', startsOn: '2025-01-01' });
  exemptPresent = await tokenFor(await makeMember(t.db, tree.cellA, { fullName: 'Miễn Có Mặt' }));
  await makePeriod(t.db, exemptPresent, { kind: 'exempt', startsOn: '2025-01-01' });
  absentWithReason = await tokenFor(await makeMember(t.db, tree.cellA, { fullName: 'Vắng Có Lý Do' }));
  guest = await tokenFor(await makeMember(t.db, tree.cellB, { fullName: 'Sinh Hoạt Tạm' }));
  await makePeriod(t.db, guest, {
    kind: 'temporary_transfer',
    hostCellId: tree.cellA.id,
    startsOn: '2026-01-01',
    endsOn: '2026-06-30',
  });
  outsider = await tokenFor(await makeMember(t.db, tree.cellB, { fullName: 'Chi Bộ Khác' }));
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const post = (url: string, headers: Record<string, string>, payload?: object) =>
  app.inject({ method: 'POST', url, headers, payload: payload ?? {} });
const count = async (sql: string, params: unknown[] = []) => (await t.db.query<{ n: number }>(sql, params))[0].n;

describe('a whole meeting', () => {
  it('the secretary schedules a combined meeting; members and the cell are notified through the outbox', async () => {
    const res = await post(`/orgs/${tree.cellA.id}/meetings`, auth(sec.token), {
      kind: 'combined',
      topic: 'Học tập Nghị quyết',
      startsAt: '2026-03-12T12:00:00Z',
      place: 'Nhà văn hóa',
      mode: 'hybrid',
      agenda: ['Tình hình tháng 2', 'Nhiệm vụ tháng 3'],
    });
    expect(res.statusCode).toBe(201);
    meetingId = res.json().id;
    await post(`/meetings/${meetingId}/documents`, auth(sec.token), {
      title: 'Dự thảo nghị quyết tháng 3',
      body: 'Nội dung dự thảo…',
    });
  });

  it('a secretary of another cell cannot touch it; a member cannot check in before it starts', async () => {
    expect((await post(`/meetings/${meetingId}/open`, auth(otherSec.token))).statusCode).toBe(403);
    const early = await post(`/meetings/${meetingId}/check-in`, as(officials[1]));
    expect(early.statusCode).toBe(409);
    expect(early.json().message).toMatch(/chưa bắt đầu/);
    expect(await count(`select count(*)::int n from meeting_attendance where checked_in_at is not null`)).toBe(0);
  });

  it('members check in online, with the room code, or are marked present; the view explains the base', async () => {
    await post(`/meetings/${meetingId}/attendance`, as(absentWithReason), { attending: false, reason: 'Đi công tác' });
    await post(`/meetings/${meetingId}/absences/${absentWithReason.id}`, auth(sec.token), { accepted: true });
    clock.set('2026-03-12T12:00:00Z');
    const opened = await post(`/meetings/${meetingId}/open`, auth(sec.token));
    const code = opened.json().checkinCode as string;
    expect(code).toMatch(/^\d{6}$/);
    // 14 of the 19 officials present: 10 online, 3 with the code, 1 (the secretary) marked.
    for (const m of officials.slice(1, 11))
      expect((await post(`/meetings/${meetingId}/check-in`, as(m))).statusCode).toBe(200);
    for (const m of officials.slice(11, 14))
      expect((await post(`/meetings/${meetingId}/check-in`, as(m), { code })).statusCode).toBe(200);
    expect(
      (
        await post(`/meetings/${meetingId}/check-in`, as(officials[14]), {
          code: '000000' === code ? '111111' : '000000',
        })
      ).statusCode,
    ).toBe(400);
    await post(`/meetings/${meetingId}/check-in`, auth(sec.token), { memberId: sec.member.id });
    for (const m of [probationary, exemptPresent, guest]) await post(`/meetings/${meetingId}/check-in`, as(m));
    expect((await post(`/meetings/${meetingId}/check-in`, as(outsider))).statusCode).toBe(403);

    const view = (await app.inject({ url: `/meetings/${meetingId}`, headers: auth(sec.token) })).json().attendance;
    // 22 official (19 + 2 exempt absent + 1 exempt present + 1 absent with reason = 23)… counted:
    expect(view.voteBase.explanation).toBe('Cơ sở tính: 23 chính thức − 2 miễn sinh hoạt vắng − 1 vắng có lý do = 20');
    expect(view.presentInBase).toBe(15);
    expect(view.quorum.reached).toBe(true); // 15·3 > 2·20
    expect(view.exemptAbsent.map((r: { fullName: string }) => r.fullName).sort()).toEqual([
      'Miễn Vắng Hai',
      'Miễn Vắng Một',
    ]);
    expect(view.absentWithReason.map((r: { absenceReason: string }) => r.absenceReason)).toEqual(['Đi công tác']);
    expect(view.guests.map((r: { fullName: string }) => r.fullName)).toEqual(['Sinh Hoạt Tạm']);
  });

  const refusedVoters =
    'refuses votes from the probationary, the absent, a guest and another cell, with reasons; accepts each member once';
  it(refusedVoters, async () => {
    const motion = (
      await post(`/meetings/${meetingId}/motions`, auth(sec.token), {
        kind: 'resolution',
        title: 'Thông qua nghị quyết tháng 3',
      })
    ).json();
    expect(motion.ballot).toBe('open');
    const vote = (m: Member, choice = 'for') => post(`/motions/${motion.id}/votes`, as(m), { choice });
    expect((await vote(probationary)).json().message).toMatch(/dự bị.*không biểu quyết/);
    expect((await vote(officials[15])).json().message).toMatch(/điểm danh/);
    expect((await vote(guest)).json().message).toMatch(/tạm thời/);
    expect((await vote(outsider)).statusCode).toBe(403);
    expect((await vote(exemptPresent)).statusCode).toBe(200);
    expect((await vote(officials[1])).statusCode).toBe(200);
    const twice = await vote(officials[1], 'against');
    expect(twice.statusCode).toBe(409);
    expect(await count(`select count(*)::int n from votes where motion_id = $1`, [motion.id])).toBe(2);

    // Everyone else present online votes at the same instant; the tally is exact.
    const rest = officials.slice(2, 11);
    const results = await Promise.all(rest.map((m) => vote(m)));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    // One roll: a member checked in in the room votes in the room, never also in chat.
    const fromRoom = await vote(officials[11]);
    expect(fromRoom.statusCode).toBe(403);
    expect(fromRoom.json().message).toMatch(/tại phòng họp.*không biểu quyết qua chat/);
    expect((await post(`/motions/${motion.id}/votes`, auth(sec.token), { choice: 'for' })).statusCode).toBe(200);
    // The room's show of hands is capped by the 3 entitled members checked in with the room code.
    const tooMany = await post(`/motions/${motion.id}/show-of-hands`, auth(sec.token), {
      for: 4,
      against: 0,
      abstain: 0,
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toMatch(/\(4\) vượt số .* tại phòng họp \(3\)/);
    expect(
      (await post(`/motions/${motion.id}/show-of-hands`, auth(sec.token), { for: 3, against: 0, abstain: 0 }))
        .statusCode,
    ).toBe(200);
    const closed = (await post(`/motions/${motion.id}/close`, auth(sec.token))).json();
    expect(closed).toMatchObject({ for: 15, against: 0, abstain: 0, base: 20, needed: 11, passed: true });
    expect(closed.text).toContain('THÔNG QUA');
    expect((await vote(officials[14])).json().message).toMatch(/đã kết thúc/);
    const posted = await count(
      `select count(*)::int n from outbox_messages where kind = 'motion.closed' and ref_id = $1`,
      [String(motion.id)],
    );
    expect(posted).toBe(0); // no group bound to this cell: nothing to post, nothing lost
  });

  it('discipline must be secret; a secret ballot keeps no link between member and choice', async () => {
    const wrong = await post(`/meetings/${meetingId}/motions`, auth(sec.token), {
      kind: 'discipline',
      title: 'Kỷ luật khiển trách',
      ballot: 'open',
    });
    expect(wrong.statusCode).toBe(400);
    const motion = (
      await post(`/meetings/${meetingId}/motions`, auth(sec.token), {
        kind: 'discipline',
        title: 'Kỷ luật khiển trách đồng chí X',
      })
    ).json();
    expect(motion.ballot).toBe('secret');
    const voters = officials.slice(1, 11);
    await Promise.all(
      voters.map((m, i) =>
        post(`/motions/${motion.id}/votes`, as(m), { choice: i < 7 ? 'khien_trach' : 'khong_ky_luat' }),
      ),
    );
    expect((await post(`/motions/${motion.id}/votes`, as(officials[1]), { choice: 'for' })).statusCode).toBe(400);
    expect((await post(`/motions/${motion.id}/votes`, as(officials[1]), { choice: 'canh_cao' })).statusCode).toBe(409);

    // While open: who took part and the ballots are apart; a ballot names no member and has no id or time.
    const participation = await t.db.query(`select * from ballot_participation where motion_id = $1`, [motion.id]);
    expect(Object.keys(participation[0]).sort()).toEqual(['member_id', 'motion_id']);
    // Each ballot is encrypted (issue 28): no choice is written in clear, only ciphertexts and a tracker.
    const box = await t.db.query<{ choice: string | null; kept: number[] | null; ballot: string; tracker: string }>(
      `select * from ballot_box where motion_id = $1`,
      [motion.id],
    );
    expect(box.map((r) => Object.keys(r).sort())).toEqual(
      Array(10).fill(['ballot', 'choice', 'kept', 'motion_id', 'tracker']),
    );
    expect(box.every((r) => r.choice === null && r.kept === null)).toBe(true);
    expect(JSON.stringify(box)).not.toMatch(/khien_trach|khong_ky_luat/);
    expect(await count(`select count(*)::int n from votes where motion_id = $1`, [motion.id])).toBe(0);
    // No audit entry per ballot: it would share the voting transaction with the ballot.
    expect(
      await count(`select count(*)::int n from audit_log where subject_type = 'motion' and subject_id = $1`, [
        String(motion.id),
      ]),
    ).toBe(1);
    // The three in the room did not vote on paper: said explicitly, or the ballot cannot close.
    expect((await post(`/motions/${motion.id}/paper-ballots`, auth(sec.token), { none: true })).statusCode).toBe(200);
    // 10 ballots cannot reach the 11 needed: closing asks for confirmation and changes nothing.
    const unconfirmed = await post(`/motions/${motion.id}/close`, auth(sec.token));
    expect(unconfirmed.statusCode).toBe(409);
    expect(unconfirmed.json().message).toMatch(/Mới có 10 phiếu, ít hơn 11 phiếu cần để thông qua.*xác nhận/);
    expect(await count(`select count(*)::int n from ballot_box where motion_id = $1`, [motion.id])).toBe(10);
    const result = (await post(`/motions/${motion.id}/close?confirm=true`, auth(sec.token))).json();
    expect(result).toMatchObject({ for: 7, against: 3, base: 20, needed: 11, passed: false });
    // Closed: the encrypted ballots stay as the motion's board; participation was rewritten by the closing transaction.
    expect(
      await count(`select count(*)::int n from ballot_box where motion_id = $1 and choice is null`, [motion.id]),
    ).toBe(10);
    const rewritten = await t.db.query<{ xmin: string; member_id: number }>(
      `select xmin::text, member_id from ballot_participation where motion_id = $1 order by ctid`,
      [motion.id],
    );
    expect(new Set(rewritten.map((r) => r.xmin)).size).toBe(1);
    expect(rewritten.map((r) => r.member_id)).toEqual(voters.map((m) => m.id).sort((a, b) => a - b));
    const [closedAudit] = await t.db.query<{ details: Record<string, unknown> }>(
      `select details from audit_log where subject_type = 'motion' and subject_id = $1 and action = 'motion.closed'`,
      [String(motion.id)],
    );
    expect(closedAudit.details).toMatchObject({ ballots: 10, confirmedShort: true });
  });

  it('opinions, rating, closing, resolution and tasks; the minutes are written from what happened', async () => {
    expect(
      (
        await post(`/meetings/${meetingId}/opinions`, as(probationary), {
          itemPosition: 2,
          body: 'Đề nghị tăng cường sinh hoạt tổ dân phố.',
        })
      ).statusCode,
    ).toBe(201);
    await post(`/meetings/${meetingId}/rating`, as(officials[1]), { level: 'tot' });
    await post(`/meetings/${meetingId}/rating`, as(officials[2]), { level: 'Khá' });
    expect((await post(`/meetings/${meetingId}/rating`, as(officials[3]), { level: 'xuất sắc' })).statusCode).toBe(400);
    clock.set('2026-03-12T13:00:00Z');
    // Shorter than the rule's minimum: the secretary must confirm, and the confirmation is audited.
    const early = await post(`/meetings/${meetingId}/close`, auth(sec.token));
    expect(early.statusCode).toBe(409);
    expect(early.json().message).toMatch(/60 phút, ít hơn mức tối thiểu 120 phút.*xác nhận/);
    const closed = (await post(`/meetings/${meetingId}/close?confirm=true`, auth(sec.token))).json();
    expect(closed.warnings[0]).toMatch(/60 phút, ít hơn mức tối thiểu 120 phút/);
    const [audit] = await t.db.query<{ details: object }>(
      `select details from audit_log where action = 'meeting.closed' and subject_id = $1`,
      [String(meetingId)],
    );
    expect(audit.details).toMatchObject({ minutes: 60, required: 120, confirmedShort: true });
    const res = await post(`/meetings/${meetingId}/resolution`, auth(sec.token), {
      body: 'Chi bộ thống nhất các nhiệm vụ tháng 3.',
      tasks: [{ assigneeMemberId: officials[2].id, title: 'Rà soát đảng phí', dueOn: '2026-03-31' }],
    });
    expect(res.statusCode).toBe(200);
    const task = await t.db.query<{ id: number }>(`select id from tasks where meeting_id = $1`, [meetingId]);
    expect((await post(`/tasks/${task[0].id}/done`, as(officials[3]))).statusCode).toBe(404);
    expect((await post(`/tasks/${task[0].id}/done`, as(officials[2]))).statusCode).toBe(200);
    await post(`/meetings/${meetingId}/amendments`, auth(sec.token), {
      body: 'Bổ sung: đồng chí Vắng Có Lý Do đã báo trước 2 ngày.',
    });

    const docx = await app.inject({ url: `/meetings/${meetingId}/minutes.docx`, headers: auth(sec.token) });
    expect(docx.statusCode).toBe(200);
    const { value: text } = await mammoth.extractRawText({ buffer: docx.rawPayload });
    expect(text).toContain('BIÊN BẢN');
    expect(text).toContain('sinh hoạt chi bộ thường kỳ kết hợp chuyên đề tháng 3/2026');
    expect(text).toContain('Vắng Có Lý Do (Đi công tác)');
    expect(text).toContain('Đồng chí Dự Bị Một: Đề nghị tăng cường sinh hoạt tổ dân phố.');
    expect(text).toContain('Cơ sở tính: 23 chính thức − 2 miễn sinh hoạt vắng − 1 vắng có lý do = 20');
    expect(text).toMatch(/Kỷ luật — .*bỏ phiếu kín.*không thông qua/);
    expect(text).toContain('ĐÍNH CHÍNH SAU BUỔI HỌP');
    expect(text).toContain('Đánh giá chất lượng buổi sinh hoạt: Khá 1 ý kiến, Tốt 1 ý kiến.');
    expect(text).toContain('Rà soát đảng phí');

    // The PDF has the same text, with correct Vietnamese (it extracts back to the same words).
    const pdf = await app.inject({ url: `/meetings/${meetingId}/minutes.pdf`, headers: auth(sec.token) });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const { extractText, getDocumentProxy } = await import('unpdf');
    const { text: pages } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), {
      mergePages: true,
    });
    const pdfText = String(pages).normalize('NFC').replace(/\s+/g, ' ');
    expect(pdfText).toContain('sinh hoạt chi bộ thường kỳ kết hợp chuyên đề tháng 3/2026');
    expect(pdfText).toContain('Vắng Có Lý Do (Đi công tác)');
    expect(pdfText).toContain('Đề nghị tăng cường sinh hoạt tổ dân phố.');
  });

  it('counts the three parts per cell for the month', async () => {
    const report = (
      await app.inject({
        url: `/orgs/${tree.committee.id}/meetings/completeness?month=2026-03`,
        headers: auth((await makeSecretary(t.db, tree.cellA)).token),
      })
    ).statusCode;
    expect(report).toBe(403); // a secretary of a cell cannot read the committee's report
    const admin = (await makeUserWithRole(t.db, tree.committee, 'committee')).token;
    const r = (
      await app.inject({ url: `/orgs/${tree.committee.id}/meetings/completeness?month=2026-03`, headers: auth(admin) })
    ).json();
    expect(r.meetings).toBe(1);
    expect(r.byKind).toEqual({ combined: 1 });
    // Documents were sent two days before; check-in, rating and the resolution vote happened;
    // resolution + tasks posted.
    expect(r.rows[0]).toMatchObject({ part1: true, part2: true, part3: true });
    expect(r.summary).toBe('1/1 buổi họp đủ cả 3 phần');
  });

  it('every action is in the append-only audit log', async () => {
    const actions = (
      await t.db.query<{ action: string }>(
        `select distinct action from audit_log where subject_type in ('meeting', 'motion')`,
      )
    )
      .map((r) => r.action)
      .sort();
    expect(actions).toEqual(
      expect.arrayContaining([
        'meeting.scheduled',
        'meeting.opened',
        'meeting.check_in',
        'motion.opened',
        'vote.cast',
        'motion.closed',
        'meeting.closed',
        'minutes.amended',
      ]),
    );
    await expect(t.db.query(`update audit_log set action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`delete from audit_log`)).rejects.toThrow(/append-only/);
  });
});
