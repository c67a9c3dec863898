/**
 * A cell congress elects its committee (issue 16.2; rules.md §8): candidates proposed,
 * nominated and self-nominated, a withdrawal, secret ballots that keep or cross out names,
 * elected = more than half of those summoned within the seats, a tie at the last seat going
 * to a further round, and the result sheet (biên bản kiểm phiếu) as DOCX and PDF.
 */
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeMemberToken, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { handleUpdate } from '../../bot/core/conversation.ts';
import type { App } from '../../api/server.ts';
import type { Member } from '../../api/members/repository.ts';
import { verifyBoard } from '../../api/cli/verify-ballots.ts';

let t: TestDb;
let app: App;
const clock = new TestClock(new Date('2026-12-10T12:00:00Z'));
let sec: Awaited<ReturnType<typeof makeSecretary>>;
const tokens = new Map<number, string>();
const voters: Member[] = [];
const cand: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', Member> = {} as never;
let probationary: Member;
let meetingId: number;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const as = (m: Member) => auth(tokens.get(m.id)!);
const post = (url: string, headers: Record<string, string>, payload?: object) =>
  app.inject({ method: 'POST', url, headers, payload: payload ?? {} });

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db, clock));
  const tree = await makeOrgTree(t.db);
  sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Bí Thư Đại Hội' });
  tokens.set(sec.member.id, sec.token);
  voters.push(sec.member);
  for (let i = 1; i < 19; i++) {
    const letter = 'ABCDEF'[i - 1] as keyof typeof cand | undefined;
    const m = await makeMember(t.db, tree.cellA, { fullName: letter ? `Ứng Viên ${letter}` : `Đảng Viên ${i}` });
    tokens.set(m.id, await makeMemberToken(t.db, m));
    voters.push(m);
    if (letter) cand[letter] = m;
  }
  probationary = await makeMember(t.db, tree.cellA, {
    fullName: 'Dự Bị',
    status: 'probationary',
    admittedOn: '2026-06-01',
    officialOn: null,
  });
  meetingId = (
    await post(`/orgs/${tree.cellA.id}/meetings`, auth(sec.token), {
      kind: 'thematic',
      topic: 'Đại hội chi bộ nhiệm kỳ 2026–2028',
      startsAt: '2026-12-10T12:00:00Z',
      mode: 'hybrid',
      place: 'Hội trường xã',
    })
  ).json().id;
  const code = (await post(`/meetings/${meetingId}/open`, auth(sec.token))).json().checkinCode;
  // 15 online, 4 in the room (they vote on paper, counted by the counting committee).
  for (const [i, m] of voters.entries()) await post(`/meetings/${meetingId}/check-in`, as(m), i >= 15 ? { code } : {});
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('electing the cell committee', () => {
  let round1: number;
  let round2: number;

  it('takes the list: proposed, nominated, self-nominated, a withdrawal; no probationary candidate', async () => {
    const bare = await post(`/meetings/${meetingId}/motions`, auth(sec.token), { kind: 'election', title: 'Bầu' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().message).toMatch(/danh sách người ứng cử và số suất/);
    const refused = await post(`/meetings/${meetingId}/elections`, auth(sec.token), {
      body: 'committee',
      title: 'Bầu chi ủy nhiệm kỳ 2026–2028',
      seats: 3,
      candidates: [{ memberId: probationary.id, nominatedBy: 'committee' }],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/dự bị không ứng cử/);
    const res = await post(`/meetings/${meetingId}/elections`, auth(sec.token), {
      body: 'committee',
      title: 'Bầu chi ủy nhiệm kỳ 2026–2028',
      seats: 3,
      candidates: ['A', 'B', 'C', 'E'].map((k) => ({ memberId: cand[k as 'A'].id, nominatedBy: 'committee' })),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'election', ballot: 'secret', seats: 3, round: 1 });
    round1 = res.json().id;
    const withdrawn = await post(`/motions/${round1}/candidates`, auth(sec.token), {
      memberId: cand.E.id,
      withdraw: true,
    });
    expect(withdrawn.json().candidates).toHaveLength(3);
    // D, nominated by a member, goes on the list once more than 30 % of the 19 attending agree.
    const nominated = await post(`/motions/${round1}/candidates`, auth(sec.token), {
      memberId: cand.D.id,
      nominatedBy: 'nominated',
    });
    const intro = nominated.json().introduction.id;
    for (const m of voters.slice(0, 8)) await post(`/motions/${intro}/votes`, as(m), { choice: 'for' });
    await post(`/motions/${intro}/paper-ballots`, auth(sec.token), { counts: { for: 4 }, countingCommittee: 'Ban' });
    expect((await post(`/motions/${intro}/close?confirm=true`, auth(sec.token))).json().passed).toBe(true);
    // F nominates herself: with four names for three seats the list already has its one-person surplus.
    const self = await post(`/motions/${round1}/candidates`, as(cand.F), { memberId: cand.F.id, nominatedBy: 'self' });
    expect(self.statusCode).toBe(400);
    expect(self.json().message).toMatch(/^Danh sách 5 người cho 3 suất: số dư 2/);
    const names = await t.db.query<{ name: string }>(
      `select m.full_name as name from election_candidates c join members m on m.id = c.member_id
        where c.motion_id = $1 and c.withdrawn_at is null order by m.full_name`,
      [round1],
    );
    expect(names.map((n) => n.name)).toEqual(['Ứng Viên A', 'Ứng Viên B', 'Ứng Viên C', 'Ứng Viên D']);
  });

  it('counts ballots that keep up to the seats; a tie at the last seat goes to a further round', async () => {
    const { A, B, C, D } = cand;
    // A 15, B 12, C 10, D 10 of 19 summoned (more than half = 10): A and B elected, C and D tied for the last seat.
    const keeps = voters.map((_, i) => [
      ...(i <= 14 ? [A.id] : []),
      ...(i >= 4 && i <= 15 ? [B.id] : []),
      ...(i >= 9 ? [C.id] : []),
      ...(i <= 8 || i === 15 ? [D.id] : []),
    ]);
    expect(keeps.every((k) => k.length <= 3)).toBe(true);
    const tooMany = await post(`/motions/${round1}/votes`, as(voters[0]), { keep: [A.id, B.id, C.id, D.id] });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toMatch(/nhiều hơn 3 suất: phiếu không hợp lệ/);
    expect((await post(`/motions/${round1}/votes`, as(voters[0]), { keep: [probationary.id] })).statusCode).toBe(400);
    // The secretary votes in chat: the numbered list, then "giữ 1 4" (A and D).
    await linkChat(t.db, sec.member, 'web', 'w-sec', 'web');
    const say = async (text: string) =>
      (
        await handleUpdate(testDeps(t.db, clock), {
          channel: 'web',
          botKey: 'web',
          updateId: `u-${text}`,
          from: { id: 'w-sec' },
          chat: { id: 'w-sec', kind: 'private' },
          text,
          receivedAt: clock.now(),
        })
      )
        .map((r) => r.text)
        .join('\n');
    expect(await say('bieu quyet')).toContain('1. Ứng Viên A\n2. Ứng Viên B\n3. Ứng Viên C\n4. Ứng Viên D');
    expect(await say('bieuquyet giữ 1 2 3 4')).toMatch(/nhiều hơn 3 suất/);
    expect(await say('bieuquyet giu 1, 4')).toMatch(
      /^Đã ghi nhận phiếu bầu kín \(giữ 2 tên, gạch 2 tên\)\.\nMã phiếu của đồng chí: [A-Z2-9]{5}-[A-Z2-9]{5} /,
    );
    expect(keeps[0]).toEqual([A.id, D.id]);
    const online = voters.slice(1, 15);
    const cast = await Promise.all(
      online.map((m, i) => post(`/motions/${round1}/votes`, as(m), { keep: keeps[i + 1] })),
    );
    expect(cast.map((r) => r.statusCode)).toEqual(Array(14).fill(200));
    // The room's four paper ballots: [B, C, D], [C], [C], [C].
    const paper = (counts: object) =>
      post(`/motions/${round1}/paper-ballots`, auth(sec.token), { counts, countingCommittee: 'Đ/c Trưởng Ban' });
    expect((await paper({ issued: 5, received: 5 })).json().message).toMatch(/phát ra \(5\) vượt .* \(4\)/);
    expect((await paper({ issued: 4, received: 4, [B.id]: 5 })).statusCode).toBe(400);
    expect((await paper({ issued: 4, received: 4, invalid: 0, [B.id]: 1, [C.id]: 4, [D.id]: 1 })).statusCode).toBe(200);
    expect((await post(`/motions/${round1}/votes`, as(voters[1]), { keep: [A.id] })).statusCode).toBe(409);
    expect(
      (await post(`/motions/${round1}/candidates`, auth(sec.token), { memberId: D.id, withdraw: true })).statusCode,
    ).toBe(409);

    const closed = await post(`/motions/${round1}/close`, auth(sec.token));
    expect(closed.statusCode).toBe(200);
    const e = closed.json().election;
    expect(e).toMatchObject({ summoned: 19, attending: 19, ballotsIssued: 19, valid: 19, invalid: 0, seats: 3 });
    expect(closed.json().text).not.toMatch(/qua chat|tại phòng họp/);
    // The result is the sheet: no for/against, no counts per choice (issue 26).
    for (const key of ['for', 'against', 'abstain', 'counts', 'chatBallots', 'roomBallots'])
      expect(closed.json()).not.toHaveProperty(key);
    expect(e.candidates.map((c: { fullName: string; votes: number }) => [c.fullName, c.votes])).toEqual([
      ['Ứng Viên A', 15],
      ['Ứng Viên B', 12],
      ['Ứng Viên C', 10],
      ['Ứng Viên D', 10],
    ]);
    expect(e.elected).toEqual(['Ứng Viên A', 'Ứng Viên B']);
    expect(e.furtherRound).toMatchObject({ seats: 1, reason: 'tie', candidates: ['Ứng Viên C', 'Ứng Viên D'] });
    expect(closed.json().text).toContain('1. Ứng Viên A: 15 phiếu (78,9 % số được triệu tập) — trúng cử');
    expect(closed.json().text).toContain('Trúng cử (2/3 suất, chờ cấp ủy cấp trên chuẩn y): Ứng Viên A, Ứng Viên B.');
    expect(closed.json().text).toContain(
      'Bằng phiếu ở suất cuối: bầu vòng tiếp theo 1 suất trong số: Ứng Viên C, Ứng Viên D.',
    );
    round2 = e.furtherRound.motionId;
    // Its board (issue 28): 15 encrypted ballots, each keeping at most the seats; with the room's
    // paper count encrypted in, the verifier recomputes the candidates' totals — never split by channel.
    const board = (await app.inject({ url: `/motions/${round1}/board`, headers: as(voters[3]) })).json();
    expect(board.ballots).toHaveLength(15);
    expect(board.marks).toEqual({ atMost: 3 });
    const verdict = verifyBoard(board);
    expect(verdict.problems).toEqual([]);
    expect(Object.fromEntries(verdict.totals.map((x) => [x.label, x.total]))).toEqual({
      'Ứng Viên A': 15,
      'Ứng Viên B': 12,
      'Ứng Viên C': 10,
      'Ứng Viên D': 10,
    });
  });

  it('the further round fills the last seat; the result sheet is a party document in DOCX and PDF', async () => {
    const { C, D } = cand;
    // Online: C 11, D 4; on paper in the room: 4 issued and received, 1 invalid, D 3.
    await Promise.all(
      voters.slice(0, 15).map((m, i) => post(`/motions/${round2}/votes`, as(m), { keep: i < 11 ? [C.id] : [D.id] })),
    );
    await post(`/motions/${round2}/paper-ballots`, auth(sec.token), {
      counts: { issued: 4, received: 4, invalid: 1, [D.id]: 3 },
      countingCommittee: 'Đ/c Trưởng Ban, Đ/c Ủy Viên',
    });
    const closed = (await post(`/motions/${round2}/close`, auth(sec.token))).json();
    expect(closed.election.elected).toEqual(['Ứng Viên C']);
    expect(closed.election).toMatchObject({ ballotsIssued: 19, ballotsReceived: 19, valid: 18, invalid: 1 });
    expect(closed.election.furtherRound).toBeNull();

    const docx = await app.inject({ url: `/motions/${round1}/result-sheet.docx`, headers: auth(sec.token) });
    const { value: word } = await mammoth.extractRawText({ buffer: docx.rawPayload });
    const pdf = await app.inject({ url: `/motions/${round2}/result-sheet.pdf`, headers: auth(sec.token) });
    const { extractText, getDocumentProxy } = await import('unpdf');
    const { text: pages } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), {
      mergePages: true,
    });
    const pdfText = String(pages).normalize('NFC').replace(/\s+/g, ' ');
    for (const text of [word.replace(/\s+/g, ' '), pdfText]) {
      expect(text).toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
      expect(text).toContain('CHI BỘ A');
      expect(text).toContain('BIÊN BẢN KIỂM PHIẾU');
      expect(text).toContain('Số được triệu tập 19, có mặt 19; phiếu phát ra 19');
    }
    expect(word).toContain('phiếu phát ra 19, thu về 19, hợp lệ 19, không hợp lệ 0.');
    expect(word).toContain('Bầu chi ủy: Bầu chi ủy nhiệm kỳ 2026–2028');
    expect(word).toContain('4. Ứng Viên D: 10 phiếu (52,6 % số được triệu tập)');
    expect(pdfText).toContain('Bầu chi ủy (vòng 2)');
    expect(pdfText).toContain('phiếu phát ra 19, thu về 19, hợp lệ 18, không hợp lệ 1.');
    expect(pdfText).toContain('Ban kiểm phiếu: Đ/c Trưởng Ban, Đ/c Ủy Viên.');
    expect(pdfText).toContain('1. Ứng Viên C: 11 phiếu (57,9 % số được triệu tập) — trúng cử');
  });
});
