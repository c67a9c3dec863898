/**
 * Secret ballots sealed at cast and counted only as totals (issue 28): what a motion's ballot
 * looks like to the cryptography (its context), the sealing of a member's choice, the tally at
 * close, and the motion's bulletin board. The group arithmetic is ballot-crypto.ts; the key,
 * ballot-key.ts.
 */
import type { Sql } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import {
  aggregate,
  type BallotContext,
  type Ciphertext,
  type DecryptionProof,
  decryptTotal,
  type EncryptedBallot,
  encryptCounts,
  tallyLabel,
} from './ballot-crypto.ts';
import { motionKey } from './ballot-key.ts';
import { encryptInPool } from './ballot-workers.ts';
import { listCandidates } from './open-election.ts';
import { choiceLabel, motionChoices, type Motion } from './motions.ts';

/** How a motion's ballot is encrypted: its choices in order, and how many a ballot marks. */
export async function ballotContext(
  sql: Sql,
  motion: Pick<Motion, 'id' | 'kind' | 'options' | 'seats'>,
): Promise<BallotContext> {
  const { publicKey } = motionKey(motion.id);
  if (motion.kind === 'election') {
    const ids = (await listCandidates(sql, motion.id)).map((c) => c.memberId).sort((a, b) => a - b);
    return { motionId: motion.id, publicKey, choices: ids.map(String), marks: { atMost: motion.seats ?? 1 } };
  }
  return { motionId: motion.id, publicKey, choices: motionChoices(motion), marks: { exactly: 1 } };
}

/** A member's choice (or an election ballot's names kept), encrypted with its proofs, and its tracker. */
export async function sealBallot(ctx: BallotContext, chosen: string[]): Promise<{ ballot: string; tracker: string }> {
  const marked = chosen.map((c) => ctx.choices.indexOf(c));
  if (marked.some((i) => i < 0)) throw new Error(`motion ${ctx.motionId}: a choice outside the ballot`);
  return encryptInPool(ctx, motionKey(ctx.motionId).secret, marked);
}

export interface SealedTally {
  choices: string[];
  marks: BallotContext['marks'];
  /** The room's paper count, encrypted, so that no copy of the board splits the count by channel. */
  paper: Ciphertext[];
  aggregate: Ciphertext[];
  totals: number[];
  proofs: DecryptionProof[];
}

/**
 * At close: multiplies the sealed ballots and the encrypted paper count choice by choice and
 * decrypts only the products, with proofs; stored with the motion for its board. Returns the
 * totals per choice (online and room together) and the number of sealed ballots.
 */
export async function tallySealedBallots(
  sql: Sql,
  motion: Pick<Motion, 'id' | 'kind' | 'options' | 'seats'>,
  paperCounts: Record<string, number>,
): Promise<{ totals: Record<string, number>; ballots: number }> {
  const ctx = await ballotContext(sql, motion);
  const rows = await sql.query<{ ballot: EncryptedBallot }>(
    `select ballot from ballot_box where motion_id = $1 and ballot is not null`,
    [motion.id],
  );
  const paperVector = ctx.choices.map((c) => paperCounts[c] ?? 0);
  const paper = encryptCounts(ctx.publicKey, paperVector);
  const agg = aggregate([...rows.map((r) => r.ballot.ciphertexts), paper], ctx.choices.length);
  const max = rows.length + paperVector.reduce((a, b) => a + b, 0);
  const { secret } = motionKey(motion.id);
  let decrypted: ReturnType<typeof decryptTotal>[];
  try {
    decrypted = agg.map((ct, i) => decryptTotal(tallyLabel(ctx, i), secret, ct, max));
  } catch {
    // Only a key other than the one that encrypted gives no count (README "Secret ballots").
    throw new AppError(
      'conflict',
      'Không giải mã được tổng số phiếu kín: khóa phiếu kín của máy chủ này khác khóa đã mã hóa phiếu. ' +
        'Quản trị viên cần đặt lại đúng BALLOT_KEY (mọi máy chủ dùng cùng một khóa) rồi kết thúc lại.',
    );
  }
  const tally: SealedTally = {
    choices: ctx.choices,
    marks: ctx.marks,
    paper,
    aggregate: agg,
    totals: decrypted.map((d) => d.total),
    proofs: decrypted.map((d) => d.proof),
  };
  await sql.query(`update motions set tally = $2::jsonb where id = $1`, [motion.id, JSON.stringify(tally)]);
  return {
    totals: Object.fromEntries(ctx.choices.map((c, i) => [c, tally.totals[i]])),
    ballots: rows.length,
  };
}

/** The public record of a closed secret motion: what `npm run verify-ballots` checks. */
export interface BulletinBoard {
  format: 'so-tay-ballot-board/1';
  motionId: number;
  title: string;
  publicKey: string;
  choices: string[];
  /** The choices as people read them (an election: the candidates' names); not part of what is verified. */
  labels: string[];
  marks: BallotContext['marks'];
  /** Every counted ballot, by tracker (alphabetical: the order says nothing of when it came). */
  ballots: (EncryptedBallot & { tracker: string })[];
  paper: Ciphertext[];
  aggregate: Ciphertext[];
  totals: number[];
  proofs: DecryptionProof[];
}

/** The board of a closed secret motion counted this way; undefined when there is none. */
export async function loadBulletinBoard(sql: Sql, motionId: number): Promise<BulletinBoard | undefined> {
  const [m] = await sql.query<{ title: string; tally: SealedTally | null }>(
    `select title, tally from motions where id = $1 and status = 'closed' and ballot = 'secret'`,
    [motionId],
  );
  if (!m?.tally) return undefined;
  const rows = await sql.query<{ tracker: string; ballot: EncryptedBallot }>(
    `select tracker, ballot from ballot_box where motion_id = $1 and ballot is not null order by tracker`,
    [motionId],
  );
  const t = m.tally;
  const names = new Map((await listCandidates(sql, motionId)).map((c) => [String(c.memberId), c.fullName]));
  return {
    format: 'so-tay-ballot-board/1',
    motionId,
    title: m.title,
    publicKey: motionKey(motionId).publicKey,
    choices: t.choices,
    labels: t.choices.map((c) => names.get(c) ?? choiceLabel(c)),
    marks: t.marks,
    ballots: rows.map((r) => ({ tracker: r.tracker, ...r.ballot })),
    paper: t.paper,
    aggregate: t.aggregate,
    totals: t.totals,
    proofs: t.proofs,
  };
}
