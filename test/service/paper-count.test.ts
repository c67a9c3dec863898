/**
 * A secret ballot held in the room (issue 24, blocker 3; issue 26): the paper count entered
 * by the secretary or the counting committee she names, what is still missing before closing,
 * no close without the count or an explicit "không có phiếu giấy", a live count of ballots
 * received (never their content), and no interface that splits a secret motion's counts by
 * channel. When fewer than three members vote online, they and the secretary are told, and
 * they may vote on paper instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMeetingScenario } from '../support/meeting-scenario.ts';
import { linkChat } from '../factories/index.ts';
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

/** 12 official members: 8 online (the secretary among them), 4 in the room. */
async function roomAndOnline(online = 8) {
  const s = await makeMeetingScenario(app, t.db, { official: 12, startsAt: '2026-12-05T12:00:00Z' });
  await s.checkIn(s.officials.slice(0, online), 'online');
  await s.checkIn(s.officials.slice(online), 'room');
  return s;
}

describe('the paper count of a secret ballot held in the room', () => {
  it('cannot close without it, says where to enter it, shows what is missing and the ballots received', async () => {
    const s = await roomAndOnline();
    const open = await s.post(`/meetings/${s.meetingId}/motions`, {
      kind: 'admission',
      title: 'Kết nạp quần chúng Lê Văn Mới',
      ballot: 'secret',
    });
    const id = open.json().id;
    for (const m of s.officials.slice(0, 5)) await s.post(`/motions/${id}/votes`, { choice: 'for' }, m);
    const progress = (await s.get(`/motions/${id}/progress`)).json();
    expect(progress).toEqual({
      motionId: id,
      ballot: 'secret',
      received: 5,
      online: 8,
      inRoom: 4,
      paper: 'missing',
      threshold: 'ít nhất 2/3',
      base: 12,
      needed: 8,
      missing: [
        '3/8 đảng viên trực tuyến chưa bỏ phiếu.',
        'Chưa có số phiếu giấy của 4 đảng viên tại phòng họp: ban kiểm phiếu nhập bằng lệnh "phieugiay" trong chat ' +
          '(hoặc nút "Nhập phiếu giấy"), hoặc ở mục Biểu quyết trên trang quản trị.',
      ],
    });
    const refused = await s.post(`/motions/${id}/close?confirm=true`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toBe(
      'Chưa kết thúc được: chưa có số phiếu giấy của 4 đảng viên tại phòng họp. Ban kiểm phiếu nhập bằng lệnh ' +
        '"phieugiay" trong chat (hoặc nút "Nhập phiếu giấy"), hoặc ở mục Biểu quyết trên trang quản trị; ' +
        'nếu tại phòng họp không ai bỏ phiếu giấy, chọn "Không có phiếu giấy".',
    );
    expect((await s.get(`/meetings/${s.meetingId}`)).json().motions[0].status).toBe('open');

    // The paper count, then the close: one total per choice, never "x qua chat + y tại phòng họp".
    const paper = await s.post(`/motions/${id}/paper-ballots`, {
      counts: { for: 3, against: 1 },
      countingCommittee: 'Đ/c Một (trưởng ban), Đ/c Hai',
    });
    expect(paper.statusCode).toBe(200);
    // The audit log names who counted, never the counts.
    const [entry] = await t.db.query<{ details: object }>(
      `select details from audit_log where action = 'motion.paper_ballots' and subject_id = $1`,
      [String(id)],
    );
    expect(entry.details).toEqual({ countingCommittee: 'Đ/c Một (trưởng ban), Đ/c Hai' });
    expect((await s.get(`/motions/${id}/progress`)).json()).toMatchObject({ paper: 'counted' });
    const closed = await s.post(`/motions/${id}/close`);
    expect(closed.statusCode).toBe(200);
    const r = closed.json();
    expect(r).toMatchObject({ for: 8, against: 1, abstain: 0, passed: true, base: 12, needed: 8 });
    expect(r).not.toHaveProperty('chatBallots');
    expect(r).not.toHaveProperty('roomBallots');
    expect(r.text).not.toMatch(/qua chat|tại phòng họp|phiếu giấy/);
    expect(r.text).toContain('Cần ít nhất 2/3 của 12 (tối thiểu 8).');
  });

  it('"không có phiếu giấy" is an explicit step; no count per channel is kept after close', async () => {
    const s = await roomAndOnline();
    const id = (
      await s.post(`/meetings/${s.meetingId}/motions`, { kind: 'discipline', title: 'Kỷ luật đồng chí Đảng Viên 03' })
    ).json().id;
    for (const [i, m] of s.officials.slice(0, 8).entries())
      await s.post(`/motions/${id}/votes`, { choice: i < 5 ? 'canh_cao' : 'khong_ky_luat' }, m);
    expect((await s.post(`/motions/${id}/paper-ballots`, { none: true })).statusCode).toBe(200);
    expect((await s.get(`/motions/${id}/progress`)).json()).toMatchObject({ paper: 'none', missing: [] });
    const closed = await s.post(`/motions/${id}/close`);
    expect(closed.statusCode).toBe(200);
    // The API's motions carry whether the paper was counted, never the paper counts themselves.
    const [motion] = (await s.get(`/meetings/${s.meetingId}`)).json().motions;
    expect(motion).not.toHaveProperty('roomCounts');
    expect(motion.paperBallots).toBe('none');
    expect(motion.result).not.toHaveProperty('chatBallots');
    const [row] = await t.db.query<{ room: object }>(`select room_counts as room from motions where id = $1`, [id]);
    expect(row.room).toEqual({});
    const audit = await t.db.query<{ action: string; details: object }>(
      `select action, details from audit_log where subject_type = 'motion' and subject_id = $1 order by id`,
      [String(id)],
    );
    expect(audit.map((a) => a.action)).toEqual(['motion.opened', 'motion.paper_ballots', 'motion.closed']);
    expect(audit[1].details).toEqual({ none: true });
    expect(JSON.stringify(audit)).not.toMatch(/chatBallots|roomBallots/);
  });

  it('the counting committee the secretary names may enter the count; another member may not', async () => {
    const s = await roomAndOnline();
    const [counter, other] = [s.officials[9], s.officials[10]];
    const named = await s.post(`/meetings/${s.meetingId}/counting-committee`, { memberIds: [counter.id] });
    expect(named.statusCode).toBe(200);
    expect(named.json()).toEqual({ members: [{ memberId: counter.id, fullName: 'Đảng Viên 09' }] });
    const id = (
      await s.post(`/meetings/${s.meetingId}/motions`, { kind: 'question', title: 'Phiếu kín thử', ballot: 'secret' })
    ).json().id;
    const refused = await s.post(`/motions/${id}/paper-ballots`, { counts: { for: 4 } }, other);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe('Chỉ bí thư hoặc ban kiểm phiếu do bí thư cử mới nhập số phiếu giấy.');
    const entered = await s.post(`/motions/${id}/paper-ballots`, { counts: { for: 4 } }, counter);
    expect(entered.statusCode).toBe(200);
    // Named, the committee signs the count without being typed again.
    const [row] = await t.db.query<{ c: string }>(`select counting_committee as c from motions where id = $1`, [id]);
    expect(row.c).toBe('Đảng Viên 09');
    // Closing stays the secretary's.
    expect((await s.post(`/motions/${id}/close?confirm=true`, {}, counter)).statusCode).toBe(403);
  });
});

describe('fewer than three members voting online in a secret ballot held in the room', () => {
  it('tells them before they choose and the secretary when she opens it; one may vote on paper instead', async () => {
    const s = await roomAndOnline(2);
    for (const m of s.officials) await linkChat(t.db, m, 'web', `web-${m.id}`, 'web');
    const opened = await s.post(`/meetings/${s.meetingId}/motions`, {
      kind: 'admission',
      title: 'Kết nạp quần chúng Trần Thị Hai',
      ballot: 'secret',
    });
    const warning =
      'Chỉ có 2 đảng viên bỏ phiếu kín trực tuyến (dưới 3): người kiểm phiếu giấy biết số phiếu giấy và tổng số ' +
      'nên có thể suy ra lựa chọn của họ. Nên đề nghị các đồng chí này bỏ phiếu giấy tại phòng họp ' +
      '(ngưỡng 3 là thiết lập mặc định, có thể điều chỉnh).';
    expect(opened.json().warnings).toEqual([warning]);
    const id = opened.json().id;
    const sent = await t.db.query<{ member_id: number; text: string; choices: { label: string }[] }>(
      `select member_id, payload->>'text' as text, payload->'choices' as choices from outbox_messages
        where kind = 'motion.opened' and ref_id = $1 and member_id is not null order by member_id`,
      [String(id)],
    );
    expect(sent.map((m) => m.member_id)).toEqual(s.officials.map((m) => m.id));
    const online = sent.filter((m) => s.officials.slice(0, 2).some((o) => o.id === m.member_id));
    expect(online).toHaveLength(2);
    for (const m of sent.filter((x) => !online.includes(x))) expect(m.text).not.toContain('Chỉ có 2');
    for (const m of online) {
      // Before the choices: the warning comes first in the message.
      expect(m.text).toMatch(/^⚠️ Chỉ có 2 đồng chí bỏ phiếu kín trực tuyến: người kiểm phiếu giấy/);
      expect(m.choices.map((c) => c.label)).toEqual([
        'Tán thành',
        'Không tán thành',
        'Không biểu quyết',
        'Bỏ phiếu giấy tại phòng họp',
      ]);
    }
    // One of them goes to the room: no longer voting online, counted on paper instead.
    const moved = await s.post(`/meetings/${s.meetingId}/vote-on-paper`, {}, s.officials[1]);
    expect(moved.statusCode).toBe(200);
    const online1 = await s.post(`/motions/${id}/votes`, { choice: 'for' }, s.officials[1]);
    expect(online1.statusCode).toBe(403);
    expect((await s.get(`/motions/${id}/progress`)).json()).toMatchObject({ online: 1, inRoom: 11 });
    expect((await s.post(`/motions/${id}/paper-ballots`, { counts: { for: 11 } })).statusCode).toBe(200);
    // A member who already voted online cannot take a paper ballot too.
    await s.post(`/motions/${id}/votes`, { choice: 'for' }, s.officials[0]);
    const twice = await s.post(`/meetings/${s.meetingId}/vote-on-paper`, {}, s.officials[0]);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().message).toBe(
      'Đồng chí đã bỏ phiếu trực tuyến cho nội dung đang biểu quyết: phiếu giấy sẽ là phiếu thứ hai.',
    );
  });

  it('three or more online, or nobody in the room: no warning', async () => {
    const s = await roomAndOnline(3);
    const opened = await s.post(`/meetings/${s.meetingId}/motions`, {
      kind: 'question',
      title: 'Phiếu kín thử',
      ballot: 'secret',
    });
    expect(opened.json().warnings).toEqual([]);
  });
});
