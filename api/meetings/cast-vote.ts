import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError, notFound } from '../errors.ts';
import { choiceLabel, lockMotionForVote, motionChoices } from './motions.ts';
import { attendsInRoom, whyNotEntitled } from './entitlement.ts';
import { loadRoll } from './repository.ts';
import { meetingDate } from './meeting-date.ts';

/**
 * A member votes in chat (or through the API). Only members entitled to vote — official,
 * present online, in the vote base — may (those in the room vote in the room); one vote each;
 * an open vote may be changed until close when the secretary allowed it; a secret vote is
 * stored as participation apart from an anonymous ballot. Committed before the member is told.
 */
export async function castVote(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { motionId: number; choice: string },
): Promise<{ changed: boolean }> {
  const memberId = actor.memberId;
  if (!memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới biểu quyết.');
  return deps.db.tx(async (sql) => {
    // The motion row lock serialises votes on one motion: exact tallies under concurrency.
    const locked = await lockMotionForVote(sql, input.motionId);
    if (!locked) throw notFound('nội dung biểu quyết');
    const { motion, meeting } = locked;
    if (motion.status !== 'open') throw new AppError('conflict', 'Biểu quyết đã kết thúc; phiếu không được ghi nhận.');
    if (!motionChoices(motion).includes(input.choice)) {
      throw new AppError('validation', `Lựa chọn phải là: ${motionChoices(motion).map(choiceLabel).join(', ')}.`, {
        field: 'choice',
      });
    }
    const [entry] = await loadRoll(sql, meeting.id, meeting.cellId, meetingDate(meeting.startsAt), memberId);
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
    const now = deps.clock.now();
    let changed = false;
    if (motion.ballot === 'open') {
      // One statement: insert (or change, only when the secretary allowed it) and its audit entry.
      const rows = await sql.query<{ changed: boolean }>(
        `with v as (
           insert into votes (motion_id, member_id, choice, cast_at) values ($1, $2, $3, $4)
           on conflict (motion_id, member_id) do update set choice = excluded.choice, cast_at = excluded.cast_at where $5
           returning (xmax <> 0) as changed
         ), audit as (
           insert into audit_log (at, actor_principal_id, action, subject_type, subject_id, details)
           select $4, $6, 'vote.cast', 'motion', $1::text, jsonb_build_object('memberId', $2::int, 'choice', $3::text) from v
         )
         select changed from v`,
        [motion.id, memberId, input.choice, now, motion.allowChange, actor.id],
      );
      if (!rows.length) throw new AppError('conflict', 'Đồng chí đã biểu quyết nội dung này.');
      changed = rows[0].changed;
    } else {
      // Secret: participation (who) and the ballot (what) are two rows with nothing in common
      // but the motion — no member, id or timestamp on the ballot. They share this
      // transaction's xmin while the motion is open; closing rewrites both (close-motion.ts).
      // No audit entry here: it would carry the same xmin. The close records who took part.
      const [took] = await sql.query<{ took: boolean }>(
        `with p as (
           insert into ballot_participation (motion_id, member_id) values ($1, $2) on conflict do nothing returning 1
         ), b as (
           insert into ballot_box (motion_id, choice) select $1, $3 from p
         )
         select exists (select 1 from p) as took`,
        [motion.id, memberId, input.choice],
      );
      if (!took.took)
        throw new AppError('conflict', 'Đồng chí đã bỏ phiếu kín cho nội dung này; phiếu kín không sửa được.');
    }
    return { changed };
  });
}
