import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { requireOpenMotion } from './require-meeting.ts';
import { countEntitledInRoom } from './entitlement.ts';
import { PAPER_WHERE } from './motion-progress.ts';

/**
 * The secretary records the room's show of hands. Chat votes come only from members online,
 * so the room's counts are capped by the entitled members checked in in the room: no member
 * is counted twice (issue 16.3).
 */
export async function recordShowOfHands(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { motionId: number; for: number; against: number; abstain: number },
): Promise<void> {
  await deps.db.tx(async (sql) => {
    const { motion, meeting } = await requireOpenMotion(sql, actor, input.motionId);
    if (motion.ballot === 'secret')
      throw new AppError(
        'validation',
        `Bỏ phiếu kín không ghi nhận bằng giơ tay: ban kiểm phiếu nhập số phiếu giấy ${PAPER_WHERE}.`,
      );
    const entitled = await countEntitledInRoom(sql, meeting);
    const total = input.for + input.against + input.abstain;
    if (total > entitled) {
      throw new AppError(
        'validation',
        `Số phiếu giơ tay (${total}) vượt số đảng viên có quyền biểu quyết điểm danh tại phòng họp (${entitled}); ` +
          'đảng viên họp trực tuyến biểu quyết qua chat.',
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
