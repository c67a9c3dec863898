/**
 * Meetings the Charter way (issue 16): discipline as one secret ballot over the forms with the
 * cumulative rule, the room and the chat on one roll, absences the secretary records, the live
 * view before the start, and results to every member on every chat.
 */
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeMemberToken, makeOrgTree, makeSecretary } from '../factories/index.ts';
import type { App } from '../../api/server.ts';
import type { Member } from '../../api/members/repository.ts';

let t: TestDb;
let app: App;
const clock = new TestClock(new Date('2026-12-05T11:00:00Z'));
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let sec: Awaited<ReturnType<typeof makeSecretary>>;
const tokens = new Map<number, string>();
let officials: Member[] = [];
let probationary: Member;
let meetingId: number;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const as = (m: Member) => auth(tokens.get(m.id)!);
const post = (url: string, headers: Record<string, string>, payload?: object) =>
  app.inject({ method: 'POST', url, headers, payload: payload ?? {} });

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db, clock));
  tree = await makeOrgTree(t.db);
  sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Bí Thư' });
  tokens.set(sec.member.id, sec.token);
  officials = [sec.member];
  for (let i = 1; i < 20; i++) {
    const m = await makeMember(t.db, tree.cellA, { fullName: `Đảng Viên ${String(i).padStart(2, '0')}` });
    tokens.set(m.id, await makeMemberToken(t.db, m));
    officials.push(m);
  }
  probationary = await makeMember(t.db, tree.cellA, {
    fullName: 'Dự Bị',
    status: 'probationary',
    admittedOn: '2026-06-01',
    officialOn: null,
  });
  await linkChat(t.db, officials[1], 'web', 'web-1', 'web');
  await linkChat(t.db, officials[1], 'telegram', '7001', 'telegram');
  await linkChat(t.db, officials[2], 'zalo', 'z-2', 'zalo');
  const res = await post(`/orgs/${tree.cellA.id}/meetings`, auth(sec.token), {
    kind: 'regular',
    startsAt: '2026-12-05T12:00:00Z',
    mode: 'hybrid',
    place: 'Nhà văn hóa thôn',
  });
  meetingId = res.json().id;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('before the start', () => {
  it('the live view says "chưa điểm danh", nobody is absent yet', async () => {
    const view = (await app.inject({ url: `/meetings/${meetingId}`, headers: auth(sec.token) })).json().attendance;
    expect(view.started).toBe(false);
    expect(view.absentWithoutReason).toEqual([]);
    expect(view.notYetCheckedIn).toHaveLength(21); // 20 official + 1 probationary
  });

  it('the secretary records an absence she was told of by phone, on the member’s behalf, audited', async () => {
    const absent = officials[19];
    const outsider = await makeMember(t.db, tree.cellB);
    expect(
      (await post(`/meetings/${meetingId}/absences/${outsider.id}`, auth(sec.token), { accepted: true, reason: 'Ốm' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await post(`/meetings/${meetingId}/absences/${absent.id}`, as(officials[3]), { accepted: true, reason: 'Ốm' }))
        .statusCode,
    ).toBe(403);
    const res = await post(`/meetings/${meetingId}/absences/${absent.id}`, auth(sec.token), {
      accepted: true,
      reason: 'Ốm, báo qua điện thoại',
    });
    expect(res.statusCode).toBe(200);
    const [audit] = await t.db.query<{ details: object }>(
      `select details from audit_log where action = 'meeting.absence_recorded' and subject_id = $1`,
      [String(meetingId)],
    );
    expect(audit.details).toEqual({ memberId: absent.id, accepted: true, onBehalf: true });
  });
});

describe('a discipline ballot in the room and online', () => {
  let motionId: number;

  it('offers the forms; 19 in the base after the accepted absence', async () => {
    clock.set('2026-12-05T12:00:00Z');
    const code = (await post(`/meetings/${meetingId}/open`, auth(sec.token))).json().checkinCode;
    // 14 online (chat), 4 in the room with the code, the secretary online too.
    for (const m of officials.slice(0, 15))
      expect((await post(`/meetings/${meetingId}/check-in`, as(m))).statusCode).toBe(200);
    for (const m of officials.slice(15, 19))
      expect((await post(`/meetings/${meetingId}/check-in`, as(m), { code })).statusCode).toBe(200);
    const view = (await app.inject({ url: `/meetings/${meetingId}`, headers: auth(sec.token) })).json().attendance;
    expect(view.voteBase.explanation).toBe('Cơ sở tính: 20 chính thức − 1 vắng có lý do = 19');
    expect(view.absentWithReason.map((r: { absenceReason: string }) => r.absenceReason)).toEqual([
      'Ốm, báo qua điện thoại',
    ]);

    const open = await post(`/meetings/${meetingId}/motions`, auth(sec.token), {
      kind: 'discipline',
      title: 'Xem xét kỷ luật đồng chí Đảng Viên 05',
      subjectMemberId: officials[5].id,
    });
    expect(open.statusCode).toBe(201);
    expect(open.json()).toMatchObject({
      ballot: 'secret',
      options: ['khai_tru', 'cach_chuc', 'canh_cao', 'khien_trach', 'khong_ky_luat'],
    });
    motionId = open.json().id;
  });

  it('counts chat and paper ballots once each, and applies the cumulative rule from the heaviest form', async () => {
    // Chat (online): cách chức 4, cảnh cáo 3, khiển trách 2, không kỷ luật 5 = 14.
    const chat = [
      ...Array(4).fill('cach_chuc'),
      ...Array(3).fill('canh_cao'),
      ...Array(2).fill('khien_trach'),
      ...Array(5).fill('khong_ky_luat'),
    ];
    const voters = officials.slice(1, 15);
    const results = await Promise.all(
      voters.map((m, i) => post(`/motions/${motionId}/votes`, as(m), { choice: chat[i] })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(14).fill(200));
    // A member in the room cannot also vote in chat.
    const fromRoom = await post(`/motions/${motionId}/votes`, as(officials[15]), { choice: 'khai_tru' });
    expect(fromRoom.statusCode).toBe(403);
    expect(fromRoom.json().message).toMatch(/tại phòng họp/);
    // No show of hands for a secret ballot: paper ballots counted by the counting committee.
    expect(
      (await post(`/motions/${motionId}/show-of-hands`, auth(sec.token), { for: 1, against: 0, abstain: 0 })).json()
        .message,
    ).toMatch(/ban kiểm phiếu/);
    const tooMany = await post(`/motions/${motionId}/paper-ballots`, auth(sec.token), {
      counts: { cach_chuc: 3, khong_ky_luat: 2 },
      countingCommittee: 'Đ/c Một (trưởng ban), Đ/c Hai',
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toMatch(/\(5\) vượt .* tại phòng họp \(4\)/);
    const wrong = await post(`/motions/${motionId}/paper-ballots`, auth(sec.token), {
      counts: { for: 2 },
      countingCommittee: 'Ban kiểm phiếu',
    });
    expect(wrong.statusCode).toBe(400);
    expect(
      (
        await post(`/motions/${motionId}/paper-ballots`, auth(sec.token), {
          counts: { cach_chuc: 2, khong_ky_luat: 2 },
          countingCommittee: 'Đ/c Một (trưởng ban), Đ/c Hai',
        })
      ).statusCode,
    ).toBe(200);

    // Base 19: cách chức 6 (< 10), + cảnh cáo 3 = 9 (< 10), + khiển trách 2 = 11 (≥ 10) → khiển trách.
    const closed = await post(`/motions/${motionId}/close`, auth(sec.token));
    expect(closed.statusCode).toBe(200);
    const r = closed.json();
    expect(r.counts).toEqual({ khai_tru: 0, cach_chuc: 6, canh_cao: 3, khien_trach: 2, khong_ky_luat: 7 });
    expect(r).toMatchObject({ adopted: 'khien_trach', passed: true, base: 19 });
    // A secret ballot's counts are never split by channel (issue 26): the totals only.
    expect(r).not.toHaveProperty('chatBallots');
    expect(r.text).not.toMatch(/qua chat|tại phòng họp/);
    expect(r.text).toContain('Khai trừ: 0 phiếu, cần ít nhất 2/3 của 19 (13) — chưa đạt');
    expect(r.text).toContain('Cảnh cáo: khai trừ 0 + cách chức 6 + cảnh cáo 3 = 9 phiếu, cần trên 1/2 của 19 (10)');
    expect(r.text).toContain('Hình thức được quyết định: KHIỂN TRÁCH.');
  });

  it('sends the result to every member who could vote, on every chat they linked (web chat too)', async () => {
    const sent = await t.db.query<{ channel: string; member_id: number; text: string }>(
      `select channel, member_id, payload->>'text' as text from outbox_messages
        where kind = 'motion.closed' and ref_id = $1 order by channel`,
      [String(motionId)],
    );
    expect(sent.map((s) => [s.channel, s.member_id])).toEqual([
      ['telegram', officials[1].id],
      ['web', officials[1].id],
      ['zalo', officials[2].id],
    ]);
    expect(sent.every((s) => s.text.includes('KHIỂN TRÁCH'))).toBe(true);
  });

  it('a probationary member can only receive khiển trách or cảnh cáo', async () => {
    const open = await post(`/meetings/${meetingId}/motions`, auth(sec.token), {
      kind: 'discipline',
      title: 'Xem xét kỷ luật đồng chí Dự Bị',
      subjectMemberId: probationary.id,
    });
    expect(open.json().options).toEqual(['canh_cao', 'khien_trach', 'khong_ky_luat']);
    const refused = await post(`/motions/${open.json().id}/votes`, as(officials[1]), { choice: 'khai_tru' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe(
      'Khai trừ không áp dụng với đảng viên dự bị: chỉ có thể khiển trách hoặc cảnh cáo. ' +
        'Lựa chọn phải là: Cảnh cáo, Khiển trách, Không kỷ luật.',
    );
    expect(await t.db.query(`select 1 from ballot_box where motion_id = $1`, [open.json().id])).toEqual([]);
  });
});

describe('the minutes in the party document form (HD 36-HD/VPTW)', () => {
  const minutesContent =
    'has the header, type, chair and note-taker, attendance by name, each motion with its arithmetic, signatures';
  it(minutesContent, async () => {
    expect(
      (
        await post(`/meetings/${meetingId}/officers`, auth(sec.token), {
          chairMemberId: sec.member.id,
          minuteTakerMemberId: officials[1].id,
        })
      ).statusCode,
    ).toBe(200);
    await post(`/meetings/${meetingId}/rating`, as(officials[2]), { level: 'tot' });
    // Closing the still-open probationary discipline ballot first, then the meeting (short: confirmed).
    const open = await t.db.query<{ id: number }>(`select id from motions where meeting_id = $1 and status = 'open'`, [
      meetingId,
    ]);
    for (const m of open) {
      await post(`/motions/${m.id}/paper-ballots`, auth(sec.token), { none: true });
      await post(`/motions/${m.id}/close?confirm=true`, auth(sec.token));
    }
    clock.set('2026-12-05T13:40:00Z');
    expect((await post(`/meetings/${meetingId}/close`, auth(sec.token))).statusCode).toBe(200);

    const docx = await app.inject({ url: `/meetings/${meetingId}/minutes.docx`, headers: auth(sec.token) });
    const { value: word } = await mammoth.extractRawText({ buffer: docx.rawPayload });
    const pdf = await app.inject({ url: `/meetings/${meetingId}/minutes.pdf`, headers: auth(sec.token) });
    const { extractText, getDocumentProxy } = await import('unpdf');
    const { text: pages } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), {
      mergePages: true,
    });
    const squash = (x: string) => x.normalize('NFC').replace(/\s+/g, ' ');
    for (const text of [squash(word), squash(String(pages))]) {
      // Header: the body above and the cell at the left, the Party and place/date at the right.
      expect(text).toContain('ĐẢNG BỘ CƠ SỞ THỬ NGHIỆM');
      expect(text).toContain('CHI BỘ A');
      expect(text).toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
      // The place before the date is the locality (the commune above the cell), not the venue.
      expect(text).toContain('Thử nghiệm, ngày 05 tháng 12 năm 2026');
      expect(text).toContain('BIÊN BẢN');
      expect(text).toContain('sinh hoạt chi bộ thường kỳ tháng 12/2026');
      expect(text).toContain('Chủ trì: đồng chí Bí Thư. Thư ký: đồng chí Đảng Viên 01.');
      expect(text).toContain('bắt đầu lúc 19:00 ngày 05/12/2026, kết thúc lúc 20:40 ngày 05/12/2026');
      expect(text).toContain('Hình thức: trực tiếp kết hợp trực tuyến.');
      expect(text).toMatch(/Có mặt 19 đồng chí \(chính thức 19, dự bị 0\): Đảng Viên 01, .*Đảng Viên 18, Bí Thư\./);
      expect(text).toContain('Vắng có lý do: Đảng Viên 19 (Ốm, báo qua điện thoại).');
      expect(text).toContain('Vắng không lý do: Dự Bị.');
      expect(text).toContain('Cơ sở tính: 20 chính thức − 1 vắng có lý do = 19 đảng viên được triệu tập');
      expect(text).toMatch(
        new RegExp(
          String.raw`1\. Kỷ luật — Xem xét kỷ luật đồng chí Đảng Viên 05 \(bỏ phiếu kín\): ` +
            String.raw`khai trừ 0, cách chức 6, cảnh cáo 3, khiển trách 2, không kỷ luật 7\.`,
        ),
      );
      expect(text).toContain('Hình thức được quyết định: KHIỂN TRÁCH.');
      expect(text).not.toMatch(/qua chat/);
      expect(text).toContain('cần trên 1/2 của 19 (tối thiểu 10) → thông qua');
      expect(text).toContain('Đánh giá chất lượng buổi sinh hoạt: Tốt 1 ý kiến.');
      expect(text).not.toMatch(/\btot\b|in_person|hybrid|khien_trach/);
      expect(text).toMatch(/THƯ KÝ.*CHỦ TRÌ|CHỦ TRÌ.*THƯ KÝ/);
      expect(text).toContain('(Ký, ghi rõ họ tên)');
    }
  });
});
