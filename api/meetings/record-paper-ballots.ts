import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, notFound } from '../errors.ts';
import { choiceLabel, findMotion, motionChoices } from './motions.ts';
import { countEntitledInRoom } from './entitlement.ts';
import { requireMeeting } from './require-meeting.ts';

/**
 * A secret ballot in the room: members checked in in the room vote on paper, the counting
 * committee (ban kiểm phiếu) counts, and the secretary enters the counts per choice. They are
 * capped by the entitled members in the room; members online vote in chat — nobody twice.
 */
export async function recordPaperBallots(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { motionId: number; counts: Record<string, number>; countingCommittee: string },
): Promise<void> {
  await deps.db.tx(async (sql) => {
    const motion = await findMotion(sql, input.motionId, true);
    if (!motion) throw notFound('nội dung biểu quyết');
    const meeting = await requireMeeting(sql, actor, motion.meetingId, { role: CAN.runMeetings });
    if (motion.status !== 'open') throw new AppError('conflict', 'Biểu quyết đã kết thúc.');
    if (motion.ballot !== 'secret')
      throw new AppError('validation', 'Biểu quyết công khai tại phòng họp ghi bằng số giơ tay.');
    const choices = motionChoices(motion);
    const unknown = Object.keys(input.counts).filter((c) => !choices.includes(c));
    if (unknown.length)
      throw new AppError('validation', `Lựa chọn phải là: ${choices.map(choiceLabel).join(', ')}.`, {
        field: 'counts',
      });
    const total = Object.values(input.counts).reduce((a, b) => a + b, 0);
    const entitled = await countEntitledInRoom(sql, meeting);
    if (total > entitled) {
      throw new AppError(
        'validation',
        `Số phiếu giấy (${total}) vượt số đảng viên có quyền biểu quyết điểm danh tại phòng họp (${entitled}).`,
        { field: 'counts' },
      );
    }
    const counts = Object.fromEntries(choices.map((c) => [c, input.counts[c] ?? 0]));
    await sql.query(`update motions set room_counts = $2::jsonb, counting_committee = $3 where id = $1`, [
      motion.id,
      JSON.stringify(counts),
      input.countingCommittee.trim(),
    ]);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'motion.paper_ballots',
      subjectType: 'motion',
      subjectId: motion.id,
      details: { counts, countingCommittee: input.countingCommittee.trim() },
      at: deps.clock.now(),
    });
  });
}
