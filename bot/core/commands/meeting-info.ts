import { respondAttendance } from '../../../api/meetings/check-in.ts';
import { formatVnDateTime } from '../../../api/meetings/meeting-date.ts';
import { KIND_LABELS } from '../../../api/meetings/schedule-meeting.ts';
import type { Command } from '../command.ts';
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
    const status = m.status === 'in_progress' ? ' (đang diễn ra — gõ "diemdanh" để điểm danh)' : '';
    return {
      text: `📅 ${KIND_LABELS[m.kind]}${m.topic ? ` — ${m.topic}` : ''}${status}\nThời gian: ${formatVnDateTime(m.startsAt)}${m.place ? `\nĐịa điểm: ${m.place}` : ''}`,
      choices:
        m.status === 'scheduled'
          ? [
              { label: 'Tham dự', data: `lichhop:${m.id}:yes` },
              { label: 'Báo vắng', data: `lichhop:${m.id}:no` },
            ]
          : undefined,
    };
  },
  async onChoice(ctx, data) {
    const [meetingId, answer] = data.split(':');
    if (answer === 'no') return { text: 'Đồng chí gõ "vang <lý do>", ví dụ: vang đi công tác.' };
    await respondAttendance(ctx.deps, ctx.principal, { meetingId: Number(meetingId), attending: true });
    return { text: 'Đã ghi nhận: đồng chí tham dự.' };
  },
};

/** "vang <lý do>": report absence with a reason (listed in the minutes). */
export const absenceCommand: Command = {
  name: 'vang',
  aliases: ['vắng', 'báo vắng', 'bao vang'],
  summary: 'báo vắng họp kèm lý do: vang <lý do>',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const m = await currentMeeting(ctx);
    await respondAttendance(ctx.deps, ctx.principal, { meetingId: m.id, attending: false, reason: ctx.args });
    return { text: `Đã ghi nhận đồng chí vắng họp, lý do: ${ctx.args}.` };
  },
};
