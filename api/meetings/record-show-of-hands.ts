import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, notFound } from '../errors.ts';
import { requireMeeting } from './require-meeting.ts';
import { chatTally, findMotion } from './motions.ts';
import { countEntitledPresent } from './entitlement.ts';

/**
 * The secretary records the room's show of hands — counts for those who did not vote in
 * chat. Chat votes plus room counts may never exceed the entitled members present, so no
 * member is counted twice.
 */
export async function recordShowOfHands(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { motionId: number; for: number; against: number; abstain: number },
): Promise<void> {
  await deps.db.tx(async (sql) => {
    const motion = await findMotion(sql, input.motionId, true);
    if (!motion) throw notFound('nội dung biểu quyết');
    const meeting = await requireMeeting(sql, actor, motion.meetingId, { role: CAN.runMeetings });
    if (motion.status !== 'open') throw new AppError('conflict', 'Biểu quyết đã kết thúc.');
    if (motion.ballot === 'secret') throw new AppError('validation', 'Bỏ phiếu kín không ghi nhận bằng giơ tay.');
    const chat = await chatTally(sql, motion);
    const entitled = await countEntitledPresent(sql, meeting);
    const total = chat.for + chat.against + chat.abstain + input.for + input.against + input.abstain;
    if (total > entitled) {
      throw new AppError(
        'validation',
        `Tổng số phiếu (${total}, gồm ${chat.for + chat.against + chat.abstain} phiếu qua chat) vượt số đảng viên có quyền biểu quyết có mặt (${entitled}).`,
      );
    }
    await sql.query(`update motions set room_for = $2, room_against = $3, room_abstain = $4 where id = $1`, [
      motion.id,
      input.for,
      input.against,
      input.abstain,
    ]);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'motion.show_of_hands',
      subjectType: 'motion',
      subjectId: motion.id,
      details: { for: input.for, against: input.against, abstain: input.abstain },
      at: deps.clock.now(),
    });
  });
}
