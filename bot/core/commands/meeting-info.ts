import { respondAttendance } from '../../../api/meetings/check-in.ts';
import { formatVietnamDateTime } from '../../../api/text/vietnam-time.ts';
import { KIND_LABELS } from '../../../api/meetings/schedule-meeting.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Reply } from '../reply.ts';
import { startDialog } from '../dialog-state.ts';
import { currentMeeting } from './meeting-context.ts';

/** The next (or current) cell meeting, with buttons to confirm attendance or report absence. */
export const meetingInfoCommand: Command = {
  name: 'lichhop',
  aliases: ['lịch họp', 'hop', 'họp'],
  summary: 'xem lịch họp chi bộ, xác nhận tham dự',
  audience: 'member',
  chats: 'any',
  async run(ctx) {
    const m = await currentMeeting(ctx);
    const status = m.status === 'in_progress' ? ' (đang diễn ra — bấm "Điểm danh" hoặc gõ "diemdanh")' : '';
    return {
      text:
        `📅 ${KIND_LABELS[m.kind]}${m.topic ? ` — ${m.topic}` : ''}${status}\n` +
        `Thời gian: ${formatVietnamDateTime(m.startsAt)}${m.place ? `\nĐịa điểm: ${m.place}` : ''}`,
      choices:
        m.status === 'scheduled'
          ? [
              { label: 'Tham dự', action: { kind: 'attend', meetingId: m.id, attending: true } },
              { label: 'Báo vắng', action: { kind: 'attend', meetingId: m.id, attending: false } },
            ]
          : undefined,
    };
  },
};

/** "Tham dự" records attendance; "Báo vắng" asks for the reason (buttons for the usual ones). */
export async function answerAttendance(ctx: CommandContext, meetingId: number, attending: boolean): Promise<Reply> {
  if (!attending) return startDialog(ctx, { flow: 'absence', step: 'reason', meetingId });
  await respondAttendance(ctx.deps, ctx.principal, { meetingId, attending: true });
  return { text: 'Đã ghi nhận: đồng chí tham dự.' };
}

export async function reportAbsence(ctx: CommandContext, meetingId: number, reason: string): Promise<Reply> {
  await respondAttendance(ctx.deps, ctx.principal, { meetingId, attending: false, reason });
  return { text: `Đã ghi nhận đồng chí vắng họp, lý do: ${reason}.` };
}

/** "vang <lý do>": report absence with a reason (listed in the minutes); "vang" alone asks for it. */
export const absenceCommand: Command = {
  name: 'vang',
  aliases: ['vắng', 'báo vắng', 'bao vang'],
  summary: 'báo vắng họp kèm lý do: vang <lý do>',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const m = await currentMeeting(ctx);
    if (!ctx.args.trim()) return startDialog(ctx, { flow: 'absence', step: 'reason', meetingId: m.id });
    return reportAbsence(ctx, m.id, ctx.args);
  },
};
