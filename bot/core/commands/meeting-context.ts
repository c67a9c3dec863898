import { AppError } from '../../../api/errors.ts';
import { findCurrentMeeting, type Meeting } from '../../../api/meetings/repository.ts';
import { findOpenMotionId } from '../../../api/meetings/find-open-motion.ts';
import { findCellMeetingState } from '../../../api/meetings/cell-meeting-state.ts';
import type { CommandContext } from '../command.ts';

type Ctx = Pick<CommandContext, 'deps' | 'member'>;

const NONE_IN_PROGRESS = 'Chi bộ hiện không có buổi họp nào đang diễn ra.';

/** The member's cell meeting in progress (or the next scheduled one), or a clear message. */
export async function currentMeeting(ctx: Ctx, inProgressOnly = false): Promise<Meeting> {
  const meeting = await findCurrentMeeting(ctx.deps.db, ctx.member.cellId);
  if (!meeting || (inProgressOnly && meeting.status !== 'in_progress')) {
    throw new AppError('not_found', inProgressOnly ? NONE_IN_PROGRESS : 'Chi bộ chưa có lịch họp sắp tới.');
  }
  return meeting;
}

/**
 * The id of the member's cell meeting in progress, or the same message as `currentMeeting`: read
 * with the other chat updates' meeting states (one statement for a tap and its menu's).
 */
export async function currentMeetingInProgressId(ctx: Ctx): Promise<number> {
  const { meeting } = await findCellMeetingState(ctx.deps.db, ctx.member.cellId);
  if (meeting?.status !== 'in_progress') throw new AppError('not_found', NONE_IN_PROGRESS);
  return meeting.id;
}

/** The open motion of the meeting in progress, or a clear message. */
export async function currentMotionId(ctx: Ctx): Promise<number> {
  const meeting = await currentMeeting(ctx, true);
  const id = await findOpenMotionId(ctx.deps.db, meeting.id);
  if (!id) throw new AppError('not_found', 'Hiện không có nội dung nào đang biểu quyết.');
  return id;
}
