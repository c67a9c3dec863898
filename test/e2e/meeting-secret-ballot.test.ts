/**
 * A secret ballot, tried as an attacker who reads everything (issue 12.1; since issue 28 every
 * ballot is encrypted at cast, test/service/ballot-copies.test.ts): members vote
 * through Telegram, Zalo, the web chat and the HTTP API; the motion closes; then every join
 * we know — xmin/xmax across all tables, row order (ctid), ids, timestamps, the stored
 * platform updates, chat sessions, the audit log, the service's logs, the members export and
 * the minutes — is tried, and none links a member to a choice.
 */
import mammoth from 'mammoth';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeMemberToken, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import type { Deps } from '../../api/context.ts';
import {
  startBotHarness,
  telegramDriver,
  webDriver,
  zaloDriver,
  type BotHarness,
  type FakeTelegram,
  type FakeZalo,
  type Running,
} from '../support/bot-harness.ts';

const TG = '556:SECRET';
const ZL = 'zalo-secret';
let h: BotHarness;
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let zalo: FakeZalo;
let svc: Running;
const logLines: string[] = [];

beforeAll(async () => {
  h = await startBotHarness({
    telegram: [TG],
    zalo: [ZL],
    // Everything the service logs, at debug level, is kept for the attacker to read.
    deps: (db) => ({
      ...testDeps(db),
      log: pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) }),
    }),
  });
  ({ t, deps, telegram, zalo, svc } = h);
});
afterAll(async () => {
  await h?.close();
});

const FORMS = ['khai_tru', 'cach_chuc', 'canh_cao', 'khien_trach', 'khong_ky_luat'];
const LABELS = ['Khai trừ', 'Cách chức', 'Cảnh cáo', 'Khiển trách', 'Không kỷ luật'];
const CHOICE_WORDS =
  /Khai trừ|Cách chức|Cảnh cáo|Khiển trách|kỷ luật|canh_cao|khien_trach|khong_ky_luat|bieuquyet:|"choice"/i;

describe('a secret ballot cast on every channel', () => {
  it('leaves nothing after close that links a member to a choice', async () => {
    const tree = await makeOrgTree(t.db);
    const sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Bí Thư Kín' });
    // Created in this order (ids ascending); they vote in another order, with different choices.
    const apiVoter = await makeMember(t.db, tree.cellA, { fullName: 'Người API' });
    const webVoter = await makeMember(t.db, tree.cellA, { fullName: 'Người Web' });
    const zaloVoter = await makeMember(t.db, tree.cellA, { fullName: 'Người Zalo' });
    const tgVoter = await makeMember(t.db, tree.cellA, { fullName: 'Người Telegram' });
    await linkChat(t.db, sec.member, 'telegram', '601', 'telegram');
    await linkChat(t.db, tgVoter, 'telegram', '602', 'telegram');
    await linkChat(t.db, zaloVoter, 'zalo', 'zs', 'zalo');
    const apiToken = await makeMemberToken(t.db, apiVoter);
    const tg = telegramDriver(deps, telegram, TG, 'telegram', 'polling');
    const zl = zaloDriver(deps, zalo, ZL, 'zalo', 'polling');
    const web = webDriver(svc.baseUrl);
    await web.signIn({ id: 'web-s' }, (await issueLinkCode(deps, sec.principal, webVoter.id)).code);
    const api = (url: string, token: string, payload?: object) =>
      svc.app.inject({ method: payload ? 'POST' : 'GET', url, headers: { authorization: `Bearer ${token}` }, payload });

    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellA.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 60_000),
      mode: 'hybrid',
      place: 'Hội trường',
    });
    await tg.say({ id: '601' }, 'mở họp');
    expect((await tg.say({ id: '602' }, 'diem danh')).join()).toContain('đã điểm danh');
    expect((await zl.say({ id: 'zs' }, 'điểm danh')).join()).toContain('đã điểm danh');
    expect((await web.say({ id: 'web-s' }, 'diemdanh')).join()).toContain('đã điểm danh');
    expect((await api(`/meetings/${meeting.id}/check-in`, apiToken, {})).statusCode).toBe(200);
    expect((await api(`/meetings/${meeting.id}/check-in`, sec.token, { memberId: sec.member.id })).statusCode).toBe(
      200,
    );
    const opened = await api(`/meetings/${meeting.id}/motions`, sec.token, {
      kind: 'discipline',
      title: 'Kỷ luật đồng chí X',
    });
    expect(opened.json().ballot).toBe('secret');
    const motionId: number = opened.json().id;

    // Telegram: a button; Zalo: a numbered option; web chat: a button; the API: a request.
    await tg.say({ id: '602' }, 'bieuquyet');
    expect((await tg.choose({ id: '602' }, 'Cảnh cáo')).join()).toContain('Đã ghi nhận phiếu');
    await web.say({ id: 'web-s' }, 'bieu quyet');
    expect((await web.choose({ id: 'web-s' }, 'Không kỷ luật')).join()).toContain('Đã ghi nhận phiếu');
    expect((await api(`/motions/${motionId}/votes`, apiToken, { choice: 'khien_trach' })).statusCode).toBe(200);
    await zl.say({ id: 'zs' }, 'bieuquyet');
    expect((await zl.choose({ id: 'zs' }, 'Khiển trách')).join()).toContain('Đã ghi nhận phiếu');
    const truth = new Map([
      [tgVoter.id, 'canh_cao'],
      [webVoter.id, 'khong_ky_luat'],
      [apiVoter.id, 'khien_trach'],
      [zaloVoter.id, 'khien_trach'],
    ]);

    // While open, a database superuser can still join a ballot to its voter on xmin — and finds a
    // ciphertext: no choice is written in clear (issue 28). Before, this join gave every choice.
    const whileOpen = await t.db.query<{ member_id: number; choice: string | null; ballot: string }>(
      `select p.member_id, b.choice, b.ballot::text as ballot from ballot_participation p
         join ballot_box b on b.xmin = p.xmin where p.motion_id = $1 and b.motion_id = $1`,
      [motionId],
    );
    expect(whileOpen.map((r) => r.member_id).sort()).toEqual([...truth.keys()].sort());
    for (const r of whileOpen) {
      expect(r.choice).toBeNull();
      expect(r.ballot).not.toMatch(CHOICE_WORDS);
    }
    // The attacker notes each voting transaction's id while it is open.
    const voteXids = new Set(
      (
        await t.db.query<{ x: string }>(`select xmin::text as x from ballot_participation where motion_id = $1`, [
          motionId,
        ])
      ).map((r) => r.x),
    );
    expect(voteXids.size).toBe(4);

    // The secretary, in the room, did not vote on paper: said so, as closing a ballot held in the room requires.
    expect((await api(`/motions/${motionId}/paper-ballots`, sec.token, { none: true })).statusCode).toBe(200);
    const closing = await api(`/motions/${motionId}/close?confirm=true`, sec.token, {});
    expect(closing.json().counts).toEqual({ khai_tru: 0, cach_chuc: 0, canh_cao: 1, khien_trach: 2, khong_ky_luat: 1 });

    // 1. xmin/xmax: no live row of any table still carries a voting transaction's id, except
    //    the voters' own member rows (locked by the foreign-key check), which say only who voted.
    const tables = (
      await t.db.query<{ name: string }>(`select tablename as name from pg_tables where schemaname = 'public'`)
    ).map((r) => r.name);
    const carrying: { table: string; row: string }[] = [];
    const everything: { table: string; row: string }[] = [];
    for (const table of tables) {
      const rows = await t.db.query<{ x: string; y: string; j: string }>(
        `select xmin::text as x, xmax::text as y, row_to_json(t)::text as j from public."${table}" t`,
      );
      for (const r of rows) {
        everything.push({ table, row: r.j });
        if (voteXids.has(r.x) || voteXids.has(r.y)) carrying.push({ table, row: r.j });
      }
    }
    //    The encrypted ballots keep theirs: they are the motion's board, ciphertexts only.
    for (const c of carrying) {
      expect(['members', 'ballot_box']).toContain(c.table);
      if (c.table === 'ballot_box') expect(JSON.parse(c.row).choice).toBeNull();
      expect(c.row.replace('"choice":null', '')).not.toMatch(CHOICE_WORDS);
    }
    // The same join as while open now finds nothing: participation was rewritten at close.
    expect(
      await t.db.query(
        `select 1 from ballot_participation p join ballot_box b on b.xmin = p.xmin where b.motion_id = $1`,
        [motionId],
      ),
    ).toEqual([]);
    expect(
      await t.db.query(`select 1 from ballot_box where motion_id = $1 and choice is not null`, [motionId]),
    ).toEqual([]);
    const participation = await t.db.query<{ x: string; member_id: number }>(
      `select xmin::text as x, member_id from ballot_participation where motion_id = $1 order by ctid`,
      [motionId],
    );
    const [motionRow] = await t.db.query<{ x: string }>(`select xmin::text as x from motions where id = $1`, [
      motionId,
    ]);
    // 2. Row order and ids: one closing transaction wrote them all, in member order, not vote order.
    expect(participation.map((r) => r.x)).toEqual(Array(4).fill(motionRow.x));
    expect(participation.map((r) => r.member_id)).toEqual([apiVoter.id, webVoter.id, zaloVoter.id, tgVoter.id]);
    // Anything the closing transaction wrote that names a voter names all of them, with totals only.
    const closeRows = await rowsWrittenBy(tables, motionRow.x);
    expect(closeRows.filter((r) => r.includes('"choice"'))).toEqual([]);

    // 3. Timestamps: nothing about the ballot or a voter was stamped while the votes came in.
    const audit = await t.db.query<{ action: string; details: object }>(
      `select action, details from audit_log where subject_type = 'motion' and subject_id = $1 order by id`,
      [String(motionId)],
    );
    expect(audit.map((a) => a.action)).toEqual(['motion.opened', 'motion.paper_ballots', 'motion.closed']);
    expect(JSON.stringify(audit)).not.toMatch(/memberId/);

    // 4. Stored platform updates: only ids remain once processed (no button data, no text).
    const updates = await t.db.query<{ payload: object; processed: boolean }>(
      `select payload, processed_at is not null as processed from inbound_updates`,
    );
    expect(updates.length).toBeGreaterThan(8);
    expect(updates.every((u) => u.processed && [null, '{}'].includes(u.payload && JSON.stringify(u.payload)))).toBe(
      true,
    );

    // 5. Every row of every table: a row that mentions one ballot choice mentions all of them
    //    (the buttons everyone got), never one choice next to a member.
    for (const { table, row } of everything) {
      const named = FORMS.filter((c) => row.includes(`bieuquyet:${motionId}:${c}`));
      if (named.length) expect({ table, named }).toEqual({ table, named: FORMS });
      expect(row).not.toMatch(new RegExp(`"choice":"(${FORMS.join('|')})"`));
      // The same for the forms' names in what is kept per chat or member (stored replies,
      // sessions): all of them or none. The motion's own result (motions, its audit entry) holds totals only.
      const labels = LABELS.filter((l) => row.includes(l));
      if (labels.length && table !== 'motions' && table !== 'audit_log')
        expect({ table, labels }).toEqual({ table, labels: LABELS });
    }

    // 6. Logs: requests and updates were logged, but no choice, button data or message text.
    expect(logLines.length).toBeGreaterThan(10);
    const leaked = logLines.filter((l) => CHOICE_WORDS.test(l) || /bieu ?quyet|diem ?danh/i.test(l));
    expect(leaked).toEqual([]);

    // 7. The members export and the minutes: totals only, no voter next to a choice.
    const csv = (await api(`/orgs/${tree.cellA.id}/members?format=csv`, sec.token)).body;
    expect(csv).toContain('Người Telegram');
    expect(csv).not.toMatch(CHOICE_WORDS);
    const docx = await api(`/meetings/${meeting.id}/minutes.docx`, sec.token);
    const { value: minutes } = await mammoth.extractRawText({ buffer: docx.rawPayload });
    const voteLines = minutes.split('\n').filter((l) => /Kỷ luật đồng chí X/.test(l));
    expect(voteLines.length).toBeGreaterThan(0);
    for (const line of voteLines) expect(line).not.toMatch(/Người (API|Web|Zalo|Telegram)/);
  });
});

/** The rows, of every table, whose current version the transaction `xid` wrote. */
async function rowsWrittenBy(tables: string[], xid: string): Promise<string[]> {
  const out: string[] = [];
  for (const table of tables) {
    const rows = await t.db.query<{ j: string }>(
      `select row_to_json(t)::text as j from public."${table}" t where xmin::text = $1`,
      [xid],
    );
    out.push(...rows.map((r) => r.j));
  }
  return out;
}
