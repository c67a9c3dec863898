import { AppError } from '../../../api/errors.ts';
import { findCurrentMeeting, type Meeting } from '../../../api/meetings/repository.ts';
import type { CommandContext } from '../command.ts';

/** The member's cell meeting in progress (or the next scheduled one), or a clear message. */
export async function currentMeeting(ctx: CommandContext, inProgressOnly = false): Promise<Meeting> {
  const meeting = await findCurrentMeeting(ctx.deps.db, ctx.member.cellId);
  if (!meeting || (inProgressOnly && meeting.status !== 'in_progress')) {
    throw new AppError(
      'not_found',
      inProgressOnly ? 'Chi bộ hiện không có buổi họp nào đang diễn ra.' : 'Chi bộ chưa có lịch họp sắp tới.',
    );
  }
  return meeting;
}

/** The open motion of the meeting in progress, or a clear message. */
export async function currentMotionId(ctx: CommandContext): Promise<number> {
  const meeting = await currentMeeting(ctx, true);
  const [m] = await ctx.deps.db.query<{ id: number }>(
    `select id from motions where meeting_id = $1 and status = 'open' order by id desc limit 1`,
    [meeting.id],
  );
  if (!m) throw new AppError('not_found', 'Hiện không có nội dung nào đang biểu quyết.');
  return m.id;
}
