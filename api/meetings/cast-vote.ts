import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError, notFound } from '../errors.ts';
import { findMotionForVote, motionChoices, notAChoice, type Motion, recordChatBallot } from './motions.ts';
import type { RollRow } from './repository.ts';
import { assertListSettled, listCandidates } from './open-election.ts';
import { attendsInRoom, whyNotEntitled } from './entitlement.ts';
import { ballotContext, sealBallot } from './sealed-ballots.ts';
import { ballotTracker, type EncryptedBallot, verifyBallot } from './ballot-crypto.ts';

/**
 * A member votes in chat (or through the API). Only members entitled to vote — official,
 * present online, in the vote base — may (those in the room vote in the room); one vote each;
 * an open vote may be changed until close when the secretary allowed it; a secret vote is
 * stored as participation apart from an anonymous ballot, encrypted before it leaves this
 * function (sealed-ballots.ts), and the member is given its tracker. Committed before the
 * member is told.
 *
 * One round trip, the busiest path of a meeting evening: `recordChatBallot` reads the motion
 * and the member's roll entry and writes the ballot only when they allow it; a refusal is
 * then explained here, from what it read, by the same rules in the same order. An election
 * ballot first reads the candidates to check the names kept.
 */
export async function castVote(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { motionId: number; choice?: string; keep?: number[]; encrypted?: EncryptedBallot },
): Promise<{ changed: boolean; secret: boolean; tracker: string | null }> {
  const memberId = actor.memberId;
  if (!memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới biểu quyết.');
  const shape = await findBallotShape(deps.db, input.motionId);
  if (!shape) throw notFound('nội dung biểu quyết');
  // A secret ballot is encrypted here, before anything is written (issue 28): its choice never reaches SQL.
  let sealed: { ballot: string; tracker: string } | null = null;
  if (input.encrypted) {
    if (shape.ballot !== 'secret')
      throw new AppError('validation', 'Nội dung này biểu quyết công khai, không nhận phiếu kín.');
    sealed = await checkedEncrypted(deps.db, memberId, shape, input.encrypted);
  } else if (shape.ballot === 'secret') {
    const kept = input.keep || shape.kind === 'election' ? await checkedKeep(deps.db, memberId, input) : null;
    if (!kept && !motionChoices(shape).includes(input.choice ?? '')) {
      // Said in the order a member would want to hear it (closed, not a choice, not entitled).
      const found = await findMotionForVote(deps.db, input.motionId, memberId);
      if (found) await assertMayVote(deps.db, found.motion, found.entry, input);
      throw new AppError('validation', notAChoice(shape, input.choice ?? ''), { field: 'choice' });
    }
    const ctx = await ballotContext(deps.db, shape);
    sealed = await sealBallot(ctx, kept ? kept.map(String) : [input.choice ?? '']);
  }
  const r = await recordChatBallot(deps.db, {
    motionId: input.motionId,
    memberId,
    choice: shape.ballot === 'secret' ? '' : (input.choice ?? ''),
    sealed,
    at: deps.clock.now(),
    principalId: actor.id,
  });
  if (!r) throw notFound('nội dung biểu quyết');
  if (!r.allowed) {
    await assertMayVote(deps.db, r.motion, r.entry, input);
    throw new Error(`motion ${r.motion.id}: the ballot was refused in SQL but allowed by whyNotEntitled`);
  }
  if (!r.open) throw closedError();
  if (!r.took)
    throw new AppError(
      'conflict',
      r.motion.ballot === 'secret'
        ? 'Đồng chí đã bỏ phiếu kín cho nội dung này; phiếu kín không sửa được.'
        : 'Đồng chí đã biểu quyết nội dung này.',
    );
  const secret = r.motion.ballot === 'secret';
  return { changed: r.changed, secret, tracker: secret ? (sealed?.tracker ?? null) : null };
}

/**
 * A ballot encrypted on the member's device (the web chat): the service never learns the choice,
 * so it checks instead that the proofs hold for this motion's key and choices — each ciphertext
 * 0 or 1, an allowed number marked — before anything is written. An election's list must be
 * settled first (the ballot is encrypted over its candidates).
 */
async function checkedEncrypted(
  db: Deps['db'],
  memberId: number,
  shape: BallotShape,
  encrypted: EncryptedBallot,
): Promise<{ ballot: string; tracker: string }> {
  const found = await findMotionForVote(db, shape.id, memberId);
  if (!found) throw notFound('nội dung biểu quyết');
  if (found.motion.status !== 'open') throw closedError();
  if (shape.kind === 'election') await assertListSettled(db, found.motion);
  // Only the ballot's own fields are kept: nothing else the browser sent is stored.
  const ballot: EncryptedBallot = {
    ciphertexts: encrypted.ciphertexts.map((c) => ({ alpha: c.alpha, beta: c.beta })),
    proofs: encrypted.proofs.map((p) => ({ challenges: p.challenges, responses: p.responses })),
    sumProof: { challenges: encrypted.sumProof.challenges, responses: encrypted.sumProof.responses },
  };
  if (!verifyBallot(await ballotContext(db, shape), ballot))
    throw new AppError(
      'validation',
      'Phiếu kín mã hóa trên máy của đồng chí không hợp lệ (bằng chứng không khớp với khóa hoặc lựa chọn ' +
        'của nội dung này), nên chưa được ghi nhận. Đồng chí tải lại trang rồi bỏ phiếu lại.',
      { field: 'ballot' },
    );
  // A copy of a ballot already in the box (its ciphertexts replayed) would count one choice twice.
  const tracker = ballotTracker(ballot);
  const [copy] = await db.query(`select 1 from ballot_box where motion_id = $1 and tracker = $2`, [shape.id, tracker]);
  if (copy) throw new AppError('validation', 'Phiếu kín này trùng với một phiếu đã nhận, nên không được ghi nhận.');
  return { ballot: JSON.stringify(ballot), tracker };
}

/** An election ballot's names kept, checked (with every refusal before it) against the candidates. */
async function checkedKeep(db: Deps['db'], memberId: number, input: { motionId: number; keep?: number[] }) {
  const found = await findMotionForVote(db, input.motionId, memberId);
  if (!found) throw notFound('nội dung biểu quyết');
  return assertMayVote(db, found.motion, found.entry, input);
}

type BallotShape = Pick<Motion, 'id' | 'ballot' | 'kind' | 'options' | 'seats'>;
const shapes = new WeakMap<Deps['db'], Map<number, BallotShape>>();

/**
 * What a motion's ballot looks like (open or secret, its choices): fixed when it opens, so read
 * once per motion and kept, and the busiest path stays one round trip.
 */
async function findBallotShape(db: Deps['db'], motionId: number): Promise<BallotShape | undefined> {
  const known = shapes.get(db) ?? new Map<number, BallotShape>();
  shapes.set(db, known);
  const shape = known.get(motionId);
  if (shape) return shape;
  const [row] = await db.query<BallotShape>('select id, ballot, kind, options, seats from motions where id = $1', [
    motionId,
  ]);
  if (!row) return undefined;
  if (known.size > 10_000) known.clear();
  known.set(motionId, row);
  return row;
}

/**
 * Why this ballot may not be cast, in the order a member would want to hear it (throws), or,
 * for an election, the names kept, checked against the candidates and the seats.
 */
async function assertMayVote(
  db: Deps['db'],
  motion: Motion,
  entry: RollRow | undefined,
  input: { choice?: string; keep?: number[]; encrypted?: EncryptedBallot },
): Promise<number[] | null> {
  if (motion.status !== 'open') throw closedError();
  // An election ballot keeps some names (at most the seats) and crosses out the others; an
  // encrypted ballot's choice is not known here (its proofs were checked instead).
  const kept = motion.kind === 'election' && !input.encrypted ? await checkKept(db, motion, input.keep) : null;
  if (!kept && !input.encrypted && !motionChoices(motion).includes(input.choice ?? ''))
    throw new AppError('validation', notAChoice(motion, input.choice ?? ''), { field: 'choice' });
  const refusal = whyNotEntitled(entry);
  if (refusal) throw new AppError('forbidden', refusal);
  // One roll, no double count (issue 16.3): a member checked in in the room votes in the room.
  if (attendsInRoom(entry)) {
    throw new AppError(
      'forbidden',
      'Đồng chí đã điểm danh tại phòng họp nên biểu quyết tại phòng (giơ tay hoặc phiếu giấy), ' +
        'không biểu quyết qua chat — để không phiếu nào được tính hai lần.',
    );
  }
  return kept;
}

async function checkKept(db: Deps['db'], motion: Motion, keep: number[] | undefined): Promise<number[]> {
  await assertListSettled(db, motion);
  const candidates = new Set((await listCandidates(db, motion.id)).map((c) => c.memberId));
  const kept = [...new Set(keep ?? [])].sort((a, b) => a - b);
  if (!keep || kept.some((k) => !candidates.has(k)))
    throw new AppError('validation', 'Phiếu bầu chỉ giữ tên người trong danh sách ứng cử.', { field: 'keep' });
  // rule: a ballot keeping more names than seats is invalid (QĐ 190; rules.md §8) — refused, not counted
  if (kept.length > (motion.seats ?? 0))
    throw new AppError(
      'validation',
      `Phiếu bầu giữ ${kept.length} tên, nhiều hơn ${motion.seats} suất: phiếu không hợp lệ.`,
      {
        field: 'keep',
      },
    );
  return kept;
}

const closedError = () => new AppError('conflict', 'Biểu quyết đã kết thúc; phiếu không được ghi nhận.');
