import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError, notFound } from '../errors.ts';
import { choiceLabel, findMotionForVote, motionChoices, type Motion } from './motions.ts';
import { listCandidates } from './open-election.ts';
import { attendsInRoom, whyNotEntitled } from './entitlement.ts';

/**
 * A member votes in chat (or through the API). Only members entitled to vote — official,
 * present online, in the vote base — may (those in the room vote in the room); one vote each;
 * an open vote may be changed until close when the secretary allowed it; a secret vote is
 * stored as participation apart from an anonymous ballot. Committed before the member is told.
 *
 * Two round trips and no explicit transaction — the busiest path of a meeting evening: one
 * read (motion, meeting and the member's roll entry), then one atomic write statement that
 * re-checks under a share lock that the motion is still open (closing takes the exclusive
 * lock, so no vote lands in a closed motion, and votes never wait for each other).
 */
export async function castVote(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { motionId: number; choice?: string; keep?: number[] },
): Promise<{ changed: boolean; secret: boolean }> {
  const memberId = actor.memberId;
  if (!memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới biểu quyết.');
  const found = await findMotionForVote(deps.db, input.motionId, memberId);
  if (!found) throw notFound('nội dung biểu quyết');
  const { motion, entry } = found;
  if (motion.status !== 'open') throw closedError();
  // An election ballot keeps some names (at most the seats) and crosses out the others.
  const kept = motion.kind === 'election' ? await checkKept(deps.db, motion, input.keep) : null;
  const choice = kept ? 'ballot' : (input.choice ?? '');
  if (!kept && !motionChoices(motion).includes(choice)) {
    throw new AppError('validation', `Lựa chọn phải là: ${motionChoices(motion).map(choiceLabel).join(', ')}.`, {
      field: 'choice',
    });
  }
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
  if (motion.ballot === 'open') {
    // Insert (or change, only when the secretary allowed it) and its audit entry, atomically.
    const [r] = await deps.db.query<{ open: boolean; took: boolean; changed: boolean | null }>(
      `with open as (
         select id from motions where id = $1 and status = 'open' for share
       ), v as (
         insert into votes (motion_id, member_id, choice, cast_at) select $1, $2, $3, $4 from open
         on conflict (motion_id, member_id) do update set choice = excluded.choice, cast_at = excluded.cast_at where $5
         returning (xmax <> 0) as changed
       ), audit as (
         insert into audit_log (at, actor_principal_id, action, subject_type, subject_id, details)
         select $4, $6, 'vote.cast', 'motion', $1::text, jsonb_build_object('memberId', $2::int, 'choice', $3::text) from v
       )
       select exists (select 1 from open) as open, exists (select 1 from v) as took, (select changed from v) as changed`,
      [motion.id, memberId, choice, deps.clock.now(), motion.allowChange, actor.id],
    );
    if (!r.open) throw closedError();
    if (!r.took) throw new AppError('conflict', 'Đồng chí đã biểu quyết nội dung này.');
    return { changed: Boolean(r.changed), secret: false };
  }
  // Secret: participation (who) and the ballot (what) are two rows with nothing in common but
  // the motion — no member, id or timestamp on the ballot. They share this statement's xmin
  // while the motion is open; closing rewrites both (close-motion.ts). No audit entry here:
  // it would carry the same xmin. The close records how many took part.
  const [r] = await deps.db.query<{ open: boolean; took: boolean }>(
    `with open as (
       select id from motions where id = $1 and status = 'open' for share
     ), p as (
       insert into ballot_participation (motion_id, member_id) select $1, $2 from open on conflict do nothing returning 1
     ), b as (
       insert into ballot_box (motion_id, choice, kept) select $1, $3, $4::int[] from p
     )
     select exists (select 1 from open) as open, exists (select 1 from p) as took`,
    [motion.id, memberId, choice, kept],
  );
  if (!r.open) throw closedError();
  if (!r.took) throw new AppError('conflict', 'Đồng chí đã bỏ phiếu kín cho nội dung này; phiếu kín không sửa được.');
  return { changed: false, secret: true };
}

async function checkKept(db: Deps['db'], motion: Motion, keep: number[] | undefined): Promise<number[]> {
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
