import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError, notFound } from '../errors.ts';
import type { BallotContext } from './ballot-crypto.ts';
import { choiceLabel, findMotionForVote } from './motions.ts';
import { listCandidates } from './open-election.ts';
import { whyNotEntitled } from './entitlement.ts';
import { ballotContext } from './sealed-ballots.ts';

/**
 * What a member's own device needs to encrypt a secret ballot (the web chat, issue 28 point 4):
 * the motion's public key, its choices in the ciphertexts' order with their labels, and how many
 * a ballot marks. The key and choices are public (on the motion's board after close); they are
 * given while the motion is open to a member entitled to vote on it.
 */
export async function ballotForDevice(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  motionId: number,
): Promise<BallotContext & { title: string; labels: string[] }> {
  if (!actor.memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới biểu quyết.');
  const found = await findMotionForVote(deps.db, motionId, actor.memberId);
  if (found?.motion.ballot !== 'secret') throw notFound('nội dung bỏ phiếu kín');
  if (found.motion.status !== 'open')
    throw new AppError('conflict', 'Biểu quyết đã kết thúc; phiếu không được ghi nhận.');
  // Only those who may vote on it (the cell's members, present): the title is the cell's business,
  // and a member told now is not told after encrypting.
  const refusal = whyNotEntitled(found.entry);
  if (refusal) throw new AppError('forbidden', refusal);
  const ctx = await ballotContext(deps.db, found.motion);
  const names = new Map((await listCandidates(deps.db, motionId)).map((c) => [String(c.memberId), c.fullName]));
  return { ...ctx, title: found.motion.title, labels: ctx.choices.map((c) => names.get(c) ?? choiceLabel(c)) };
}
