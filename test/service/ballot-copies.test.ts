/**
 * Issue 28: a secret ballot attacked with copies of the data taken while the motion is open and
 * after it closes — a logical dump (`pg_dump`), the WAL of the voting (read raw, record by
 * record, with `pg_walinspect` naming the records), and a replica-like copy of the data files
 * (PostgreSQL's base directory after a checkpoint; PGlite's data folder). Voting adds no choice
 * label to any of them: every ballot is ciphertexts, proofs and a tracker. After close the
 * motion's board holds every voter's tracker, and the verifier recomputes the totals — and
 * fails when a ciphertext is changed, a ballot added, or a total is wrong.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPglite, type Db } from '../../api/db/connect.ts';
import { migrate } from '../../api/db/migrate.ts';
import type { Member } from '../../api/members/repository.ts';
import type { App } from '../../api/server.ts';
import { verifyBoard } from '../../api/cli/verify-ballots.ts';
import { encryptBallot, keyPairFromSeed, randomSeed } from '../../api/meetings/ballot-crypto.ts';
import type { BulletinBoard } from '../../api/meetings/sealed-ballots.ts';
import { makeMember, makeMemberToken, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

const onPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');
let t: TestDb;
let db: Db;
let liteDir: string | null = null;
let app: App;
const clock = new TestClock(new Date('2026-03-12T12:00:00Z'));
const members: Member[] = [];
const tokens = new Map<number, string>();
let secToken: string;
let meetingId: number;

const post = (url: string, token: string, payload: object = {}) =>
  app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
const get = (url: string, token: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  if (onPostgres) {
    t = await createTestDb();
    db = t.db;
  } else {
    // On disk, so that the data folder can be copied as a whole.
    liteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballots-copies-'));
    db = await connectPglite(liteDir);
    await migrate(db);
    t = { db, url: null, close: () => db.close() };
  }
  app = await buildTestApp(testDeps(db, clock));
  const tree = await makeOrgTree(db);
  const sec = await makeSecretary(db, tree.cellA);
  secToken = sec.token;
  for (let i = 0; i < 9; i++) {
    const m = await makeMember(db, tree.cellA);
    tokens.set(m.id, await makeMemberToken(db, m));
    members.push(m);
  }
  const meeting = await post(`/orgs/${tree.cellA.id}/meetings`, secToken, {
    kind: 'regular',
    startsAt: '2026-03-12T12:00:00Z',
    mode: 'online',
  });
  meetingId = meeting.json().id;
  expect((await post(`/meetings/${meetingId}/open`, secToken)).statusCode).toBe(200);
  for (const m of members)
    expect((await post(`/meetings/${meetingId}/check-in`, tokens.get(m.id)!)).statusCode).toBe(200);
});
afterAll(async () => {
  await app?.close();
  await t?.close();
  if (liteDir) fs.rmSync(liteDir, { recursive: true, force: true });
});

// The choices as any copy of a row would hold them: 'against' and 'abstain' as text, and 'for'
// as PostgreSQL stores a short text (a one-byte length header, 0x09, then the letters), in JSON
// ("for") or in button data (:for) — base64 ciphertexts may contain the bare letters by chance.
const PATTERNS: Record<string, Buffer[]> = {
  against: [Buffer.from('against')],
  abstain: [Buffer.from('abstain')],
  for: [Buffer.from('\x09for', 'latin1'), Buffer.from('"for"'), Buffer.from(':for')],
};
function countLabels(bytes: Buffer): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, needles] of Object.entries(PATTERNS)) {
    let n = 0;
    for (const needle of needles) for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + 1)) n++;
    out[label] = n;
  }
  return out;
}

/** Every file of the database but the motions table's (which lists the choices offered, not anyone's). */
async function copyOfData(): Promise<Buffer> {
  await db.exec('checkpoint');
  const rel = (await db.query<{ p: string }>(`select pg_relation_filepath('motions') as p`))[0].p;
  const root = onPostgres
    ? (await db.query<{ d: string }>("select current_setting('data_directory') as d"))[0].d
    : liteDir!;
  const oid = (
    await db.query<{ oid: number }>('select oid::int from pg_database where datname = current_database()')
  )[0].oid;
  // PostgreSQL: this database's directory; PGlite: the whole folder (its WAL included).
  const dir = onPostgres ? path.join(root, 'base', String(oid)) : root;
  const motionsFile = path.join(root, rel);
  const parts: Buffer[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.isFile() && !f.startsWith(motionsFile)) parts.push(fs.readFileSync(f));
    }
  };
  walk(dir);
  return Buffer.concat(parts);
}

function pgDump(): Buffer {
  return execFileSync('pg_dump', ['--data-only', '--no-owner', t.url!], { maxBuffer: 1 << 28 });
}

const lsn = (s: string) => {
  const [hi, lo] = s.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
};

/**
 * The raw bytes of every WAL record of this database between two positions, except those that
 * only touch the motions table (a vote locks its motion's row; a full-page image of that page
 * carries the choices offered). pg_walinspect names the records; the bytes are read from pg_wal.
 */
async function walOfVoting(from: string, to: string): Promise<Buffer> {
  await db.exec('create extension if not exists pg_walinspect');
  await db.exec('checkpoint');
  const [{ oid, motions, root, seg, tli }] = await db.query<{
    oid: number;
    motions: number;
    root: string;
    seg: string;
    tli: string;
  }>(
    `select (select oid::int from pg_database where datname = current_database()) as oid,
            pg_relation_filenode('motions')::int as motions, current_setting('data_directory') as root,
            (select setting from pg_settings where name = 'wal_segment_size') as seg,
            substr(pg_walfile_name($1::pg_lsn), 1, 8) as tli`,
    [from],
  );
  const records = await db.query<{ start: string; end: string; blocks: string | null }>(
    `select start_lsn::text as start, end_lsn::text as end, block_ref as blocks
       from pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)`,
    [from, to],
  );
  const segSize = BigInt(seg);
  const perId = 0x100000000n / segSize;
  const readRange = (a: bigint, b: bigint): Buffer => {
    const out: Buffer[] = [];
    for (let p = a; p < b; ) {
      const segno = p / segSize;
      const name = `${tli}${(segno / perId).toString(16).toUpperCase().padStart(8, '0')}${(segno % perId)
        .toString(16)
        .toUpperCase()
        .padStart(8, '0')}`;
      const end = (segno + 1n) * segSize < b ? (segno + 1n) * segSize : b;
      const fd = fs.openSync(path.join(root, 'pg_wal', name), 'r');
      const buf = Buffer.alloc(Number(end - p));
      fs.readSync(fd, buf, 0, buf.length, Number(p % segSize));
      fs.closeSync(fd);
      out.push(buf);
      p = end;
    }
    return Buffer.concat(out);
  };
  const ours = records.filter((r) => {
    const rels = [...(r.blocks ?? '').matchAll(/rel \d+\/(\d+)\/(\d+)/g)];
    return rels.some(([, d, f]) => Number(d) === oid && Number(f) !== motions);
  });
  expect(ours.length).toBeGreaterThan(0);
  return Buffer.concat(ours.map((r) => readRange(lsn(r.start), lsn(r.end))));
}

describe('copies of the data taken during and after a secret ballot', () => {
  let board: BulletinBoard;
  let link = '';
  const trackers = new Map<number, string>();
  const choiceOf = (i: number) => (['for', 'against', 'abstain'] as const)[i % 3];

  it('while the motion is open, no dump, WAL or data copy gains a choice; after close neither', async () => {
    const motion = (
      await post(`/meetings/${meetingId}/motions`, secToken, {
        kind: 'question',
        title: 'Câu hỏi kín',
        ballot: 'secret',
      })
    ).json();
    expect(motion.ballot).toBe('secret');
    // A first row lock on the motion (and its page image in the WAL) before the baseline copies.
    await db.tx(async (sql) => {
      await sql.query('select 1 from motions where id = $1 for share', [motion.id]);
    });
    const before = { data: countLabels(await copyOfData()), dump: onPostgres ? countLabels(pgDump()) : null };
    const walFrom = onPostgres
      ? (await db.query<{ l: string }>('select pg_current_wal_insert_lsn()::text as l'))[0].l
      : '';

    for (const [i, m] of members.entries()) {
      const r = await post(`/motions/${motion.id}/votes`, tokens.get(m.id)!, { choice: choiceOf(i) });
      expect(r.statusCode).toBe(200);
      expect(r.json().tracker).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
      trackers.set(m.id, r.json().tracker);
    }

    // Open: the copies hold no more choice labels than before the first ballot.
    expect(countLabels(await copyOfData())).toEqual(before.data);
    if (onPostgres) {
      expect(countLabels(pgDump())).toEqual(before.dump);
      const walTo = (await db.query<{ l: string }>('select pg_current_wal_insert_lsn()::text as l'))[0].l;
      const wal = await walOfVoting(walFrom, walTo);
      // The votes' records are there (trackers in clear, for instance) — and no choice among them.
      expect(wal.includes(Buffer.from(trackers.get(members[0].id)!))).toBe(true);
      expect(countLabels(wal)).toEqual({ for: 0, against: 0, abstain: 0 });
    }

    const closed = await post(`/motions/${motion.id}/close?confirm=true`, secToken);
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ for: 3, against: 3, abstain: 3 });

    // Closed: the ballot rows still hold ciphertexts only; the WAL of the voting likewise (it is read again).
    const rows = await db.query<{ choice: string | null; ballot: object }>(
      'select choice, ballot from ballot_box where motion_id = $1',
      [motion.id],
    );
    expect(rows).toHaveLength(members.length);
    expect(rows.every((r) => r.choice === null)).toBe(true);
    expect(countLabels(Buffer.from(JSON.stringify(rows)))).toEqual({ for: 0, against: 0, abstain: 0 });
    if (onPostgres) {
      const dump = pgDump().toString('utf8');
      const box = /COPY public\.ballot_box [^\n]*\n([\s\S]*?)\n\\\.\n/.exec(dump)?.[1] ?? '';
      expect(box.split('\n')).toHaveLength(members.length);
      expect(countLabels(Buffer.from(box))).toEqual({ for: 0, against: 0, abstain: 0 });
    }

    const res = await get(`/motions/${motion.id}/board`, tokens.get(members[0].id)!);
    expect(res.statusCode).toBe(200);
    board = res.json();
    link = /\/b\/\d+\/\d+\/[A-Za-z0-9_-]+/.exec(closed.json().text)?.[0] ?? '';
  });

  it('the result message links the board: a member finds their tracker there, and the JSON verifies', async () => {
    expect(link).not.toBe('');
    const mine = trackers.get(members[4].id)!;
    const page = await app.inject({ method: 'GET', url: `${link}?ma=${mine.toLowerCase()}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<code>${mine}</code>`);
    expect(page.body).toContain('có trên bảng: phiếu của đồng chí đã được tính');
    // The page names no voter: only trackers and the totals.
    for (const m of members) expect(page.body).not.toContain(m.fullName);
    const missing = await app.inject({ method: 'GET', url: `${link}?ma=AAAAA-AAAAA` });
    expect(missing.body).toContain('Không thấy mã phiếu');
    const json = await app.inject({ method: 'GET', url: `${link}/board.json` });
    expect(verifyBoard(json.json()).ok).toBe(true);
    const forged = await app.inject({ method: 'GET', url: `${link.slice(0, -3)}abc` });
    expect(forged.statusCode).toBe(403);
  });

  it('every voter finds their tracker on the board, and the verifier recomputes the totals', () => {
    expect(new Set(board.ballots.map((b) => b.tracker))).toEqual(new Set(trackers.values()));
    const verdict = verifyBoard(board);
    expect(verdict.problems).toEqual([]);
    expect(verdict.totals.map((x) => x.total)).toEqual([3, 3, 3]);
  });

  it('the verifier fails a board with a ciphertext changed, a ballot added, or a wrong total', () => {
    const copy = (): BulletinBoard => JSON.parse(JSON.stringify(board));
    // A ciphertext of one ballot swapped for another's: that ballot's proofs and tracker fail.
    const changed = copy();
    changed.ballots[0].ciphertexts[0] = changed.ballots[1].ciphertexts[0];
    expect(verifyBoard(changed).ok).toBe(false);
    // A well-formed ballot added (made with some other key the attacker holds): its proofs fail here,
    // and the aggregate no longer matches the decryption proofs.
    const added = copy();
    const rogue = encryptBallot(
      { motionId: board.motionId, publicKey: board.publicKey, choices: board.choices, marks: board.marks },
      keyPairFromSeed(randomSeed()).secret,
      [0],
    );
    added.ballots.push({ tracker: 'AAAAA-AAAAA', ...rogue });
    const addedVerdict = verifyBoard(added);
    expect(addedVerdict.ok).toBe(false);
    expect(addedVerdict.problems.join('\n')).toMatch(/không khớp/);
    // A wrong total.
    const wrong = copy();
    wrong.totals[0] += 1;
    const wrongVerdict = verifyBoard(wrong);
    expect(wrongVerdict.ok).toBe(false);
    expect(wrongVerdict.problems.join('\n')).toMatch(/không phải là kết quả giải mã đúng/);
  });

  it('a member of another cell, and the anonymous, cannot read the board; an open motion has none', async () => {
    const open = (await post(`/meetings/${meetingId}/motions`, secToken, { kind: 'resolution', title: 'Mở' })).json();
    const r = await get(`/motions/${open.id}/board`, secToken);
    expect(r.statusCode).toBe(409);
    const anonymous = await app.inject({ method: 'GET', url: `/motions/${board.motionId}/board` });
    expect(anonymous.statusCode).toBe(401);
  });
});
