/**
 * Checks a secret ballot's bulletin board, as anyone may (issue 28):
 *
 *   npm run verify-ballots -- https://…/b/12/1767225600/abc…/board.json
 *   npm run verify-ballots -- board.json
 *   BOARD_TOKEN=sotay_… npm run verify-ballots -- https://…/motions/12/board
 *
 * What it checks, in order, trusting nothing on the board:
 *   1. every ballot's tracker is the fingerprint of its ciphertexts (so a voter who finds their
 *      tracker has found their ballot), and no tracker is there twice;
 *   2. every ballot's proofs: each ciphertext encrypts 0 or 1, and the ballot marks exactly one
 *      choice (an election: no more names than the seats) — under this motion's public key;
 *   3. the aggregate is the product of all the ballots and the encrypted paper count, recomputed
 *      here (a ballot added, removed or changed gives another aggregate);
 *   4. each total is the decryption of its aggregate, by its proof (so the key holder could not
 *      announce another number).
 * Then it prints the totals. Exit code 0 when all holds, 1 when anything fails, 2 on bad input.
 *
 *   npm run verify-ballots -- --audit audit.json
 *
 * checks an encryption the web chat opened for an audit ("Kiểm tra mã hóa", copied from the
 * page): its tracker, its proofs, and that with the randomness shown each ciphertext is
 * (g^r, g^m·h^r) — so the page encrypted the choice it says, and nothing else. Such a ballot is
 * never cast.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  aggregate,
  ballotTracker,
  type BallotContext,
  tallyLabel,
  verifyBallot,
  verifyDecryption,
  type EncryptedBallot,
  verifyOpenedBallot,
} from '../meetings/ballot-crypto.ts';
import type { BulletinBoard } from '../meetings/sealed-ballots.ts';

export interface Verdict {
  ok: boolean;
  /** One line per failure, in Vietnamese. */
  problems: string[];
  totals: { label: string; total: number }[];
}

export function verifyBoard(board: BulletinBoard): Verdict {
  const problems: string[] = [];
  const ctx: BallotContext = {
    motionId: board.motionId,
    publicKey: board.publicKey,
    choices: board.choices,
    marks: board.marks,
  };
  const width = board.choices.length;
  // 1. trackers
  const seen = new Set<string>();
  for (const b of board.ballots) {
    if (ballotTracker(b) !== b.tracker) problems.push(`Mã phiếu ${b.tracker} không khớp với phiếu mã hóa của nó.`);
    if (seen.has(b.tracker)) problems.push(`Mã phiếu ${b.tracker} xuất hiện hai lần.`);
    seen.add(b.tracker);
  }
  // 2. every ballot well formed
  for (const b of board.ballots) {
    if (!verifyBallot(ctx, b)) problems.push(`Phiếu ${b.tracker}: bằng chứng phiếu hợp lệ không đúng.`);
  }
  // 3. the aggregate, recomputed
  let recomputed: { alpha: string; beta: string }[] = [];
  try {
    if (board.paper.length !== width) throw new Error('paper');
    recomputed = aggregate([...board.ballots.map((b) => b.ciphertexts), board.paper], width);
  } catch {
    problems.push('Không cộng được các phiếu mã hóa (dữ liệu hỏng).');
  }
  const sameAggregate =
    recomputed.length === width &&
    board.aggregate.length === width &&
    recomputed.every((c, i) => c.alpha === board.aggregate[i].alpha && c.beta === board.aggregate[i].beta);
  if (!sameAggregate)
    problems.push('Tích các phiếu tính lại không khớp với tích trên bảng: có phiếu bị thêm, bớt hay sửa.');
  // 4. the decryption of each total
  const totals = board.choices.map((c, i) => ({ label: board.labels?.[i] ?? c, total: board.totals[i] }));
  board.choices.forEach((_, i) => {
    const proof = board.proofs[i];
    const ct = recomputed[i] ?? board.aggregate[i];
    if (!proof || !ct || !verifyDecryption(tallyLabel(ctx, i), board.publicKey, ct, board.totals[i], proof))
      problems.push(`Tổng số "${totals[i].label}" = ${board.totals[i]} không phải là kết quả giải mã đúng.`);
  });
  return { ok: problems.length === 0, problems, totals };
}

/** What the web chat shows under "Dữ liệu kiểm tra" after an audit. */
export interface OpenedBallot extends BallotContext {
  format: 'so-tay-ballot-audit/1';
  choice: string;
  ballot: EncryptedBallot;
  opening: { marks: number[]; randomness: string[] };
  tracker: string;
}

export function verifyAudit(a: OpenedBallot): { ok: boolean; problems: string[]; choices: string[] } {
  const problems: string[] = [];
  if (ballotTracker(a.ballot) !== a.tracker) problems.push(`Mã phiếu ${a.tracker} không khớp với phiếu mã hóa của nó.`);
  if (!verifyBallot(a, a.ballot))
    problems.push('Bằng chứng phiếu hợp lệ không đúng với khóa và lựa chọn của nội dung.');
  const opened = verifyOpenedBallot(a, a.ballot, a.opening);
  if (!opened) problems.push('Với số ngẫu nhiên đã công bố, bản mã không phải là lựa chọn được công bố.');
  const choices = (opened ?? []).map((i) => a.choices[i]);
  if (opened && (choices.length !== 1 || choices[0] !== a.choice))
    problems.push(`Phiếu mã hóa lựa chọn "${choices.join(', ')}", không phải "${a.choice}".`);
  return { ok: problems.length === 0, problems, choices };
}

async function auditMain(file: string) {
  let audit: OpenedBallot;
  try {
    audit = JSON.parse(await readFile(file, 'utf8')) as OpenedBallot;
    if (audit?.format !== 'so-tay-ballot-audit/1') throw new Error('không phải dữ liệu kiểm tra mã hóa (format)');
  } catch (e) {
    console.error(`Không đọc được dữ liệu kiểm tra: ${(e as Error).message}`);
    return 2;
  }
  const verdict = verifyAudit(audit);
  console.log(`Phiếu ${audit.tracker} (nội dung #${audit.motionId}) mã hóa: ${verdict.choices.join(', ') || '?'}`);
  if (verdict.ok) {
    console.log('✅ Đã kiểm tra: phiếu mã hóa đúng lựa chọn đã công bố, bằng chứng hợp lệ.');
    return 0;
  }
  for (const p of verdict.problems) console.log(`❌ ${p}`);
  return 1;
}

async function readBoard(source: string): Promise<BulletinBoard> {
  if (/^https?:\/\//i.test(source)) {
    const token = process.env.BOARD_TOKEN;
    const res = await fetch(source, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
    return (await res.json()) as BulletinBoard;
  }
  return JSON.parse(await readFile(source, 'utf8')) as BulletinBoard;
}

async function main(argv: string[]) {
  if (argv[0] === '--audit' && argv.length === 2) return auditMain(argv[1]);
  const source = argv[0];
  if (!source || argv.length > 1) {
    console.error('Cách dùng: npm run verify-ballots -- <đường dẫn bảng kiểm phiếu (.json) hoặc tệp JSON>');
    return 2;
  }
  let board: BulletinBoard;
  try {
    board = await readBoard(source);
    if (board?.format !== 'so-tay-ballot-board/1') throw new Error('không phải bảng kiểm phiếu (format)');
  } catch (e) {
    console.error(`Không đọc được bảng kiểm phiếu: ${(e as Error).message}`);
    return 2;
  }
  const verdict = verifyBoard(board);
  console.log(
    `Bảng kiểm phiếu: ${board.title} (nội dung #${board.motionId}), ${board.ballots.length} phiếu trực tuyến.`,
  );
  for (const t of verdict.totals) console.log(`  ${t.label}: ${t.total}`);
  if (verdict.ok) {
    console.log('✅ Đã kiểm tra: mọi phiếu hợp lệ, tích các phiếu khớp, tổng số được giải mã đúng.');
    return 0;
  }
  for (const p of verdict.problems) console.log(`❌ ${p}`);
  return 1;
}

// Run as a program (npm run verify-ballots), not when a test imports verifyBoard.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]))
  process.exitCode = await main(process.argv.slice(2));
