/**
 * "lên lịch họp 5/12 19:00" (or "len lich hop ngay 5/12 luc 19 gio tai Nha van hoa"): the
 * secretary schedules the cell's regular meeting from chat. The bot reads the date and time,
 * and the agenda from the lines that follow (one item each), shows what it understood with
 * buttons, and schedules only when confirmed.
 */
import { scheduleMeeting } from '../../../api/meetings/schedule-meeting.ts';
import { formatVietnamDateTime } from '../../../api/text/vietnam-time.ts';
import { AppError } from '../../../api/errors.ts';
import { foldVietnamese } from '../../../api/text/fold.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Reply } from '../reply.ts';
import { agendaFromText } from '../../../api/meetings/set-agenda.ts';

const PENDING = 'schedule-meeting';
const VN_OFFSET_MS = 7 * 3600_000;

export const scheduleMeetingCommand: Command = {
  name: 'lenlichhop',
  aliases: ['lên lịch họp', 'đặt lịch họp', 'lịch họp mới', 'tạo lịch họp'],
  summary: 'lên lịch họp chi bộ: lên lịch họp 5/12 19:00 [tại địa điểm], nội dung họp ở các dòng sau',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    const startsAt = parseVnDateTime(ctx.args, ctx.deps.clock.now());
    if (!startsAt) {
      throw new AppError('validation', 'Gõ ngày và giờ họp, ví dụ: lên lịch họp 5/12 19:00 tại Nhà văn hóa.');
    }
    const [firstLine, ...rest] = (ctx.update.text ?? ctx.args).split('\n');
    const place = /\b(?:tại|tai)\s+(.+)$/i.exec(firstLine)?.[1]?.trim() || null;
    const agenda = agendaFromText(rest.join('\n'));
    await ctx.session.set(PENDING, { startsAt: startsAt.toISOString(), place, agenda });
    return {
      text:
        `Lên lịch sinh hoạt chi bộ thường kỳ lúc ${formatVietnamDateTime(startsAt)}${place ? ` tại ${place}` : ''}?` +
        (agenda.length
          ? `\nNội dung:\n${agenda.map((a, i) => `${i + 1}. ${a}`).join('\n')}`
          : '\n(Nội dung họp: gõ ở các dòng sau dòng ngày giờ, hoặc sau này bằng "noidunghop".)'),
      choices: [
        { label: 'Xác nhận', action: { kind: 'schedule-meeting', confirm: true } },
        { label: 'Hủy', action: { kind: 'schedule-meeting', confirm: false } },
      ],
    };
  },
};

/** The secretary's answer to "Lên lịch … ?": schedules what she typed, or drops it. */
export async function confirmScheduledMeeting(ctx: CommandContext, confirm: boolean): Promise<Reply> {
  const pending = await ctx.session.get<{ startsAt: string; place: string | null; agenda?: string[] }>(PENDING);
  await ctx.session.set(PENDING, null);
  if (!confirm) return { text: 'Đã hủy, chưa lên lịch họp.' };
  if (!pending) return { text: 'Không còn lịch họp nào chờ xác nhận. Gõ lại: lên lịch họp 5/12 19:00.' };
  const meeting = await scheduleMeeting(ctx.deps, ctx.principal, {
    cellId: ctx.member.cellId,
    kind: 'regular',
    startsAt: new Date(pending.startsAt),
    place: pending.place,
    mode: 'hybrid',
    agenda: pending.agenda,
  });
  return { text: `Đã lên lịch họp lúc ${formatVietnamDateTime(meeting.startsAt)}; đảng viên của chi bộ đã được báo.` };
}

/**
 * A day/month[/year] and an hour[:minute] in Vietnam's time ("5/12 19:00", "ngay 05-12 luc
 * 19 gio 30", "5/12/2026 7h"). Without a year: the next such day from `now`.
 */
export function parseVnDateTime(text: string, now: Date): Date | undefined {
  const folded = foldVietnamese(text);
  const date = /(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2,4}))?/.exec(folded);
  if (!date) return undefined;
  const rest = folded.slice(date.index + date[0].length);
  const time = /(\d{1,2})\s*(?::|h|gio)\s*(\d{2})?/.exec(rest) ?? /\b(\d{1,2})\b/.exec(rest);
  if (!time) return undefined;
  const [day, month, hour, minute] = [date[1], date[2], time[1], time[2] ?? '0'].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  const at = (year: number) => new Date(Date.UTC(year, month - 1, day, hour, minute) - VN_OFFSET_MS);
  const typedYear = date[3] ? Number(date[3].length === 2 ? `20${date[3]}` : date[3]) : undefined;
  const thisYear = new Date(now.getTime() + VN_OFFSET_MS).getUTCFullYear();
  const result = typedYear ? at(typedYear) : at(thisYear) < now ? at(thisYear + 1) : at(thisYear);
  // 31/2 rolls over in Date.UTC: refuse rather than schedule another day.
  return new Date(result.getTime() + VN_OFFSET_MS).getUTCDate() === day ? result : undefined;
}
