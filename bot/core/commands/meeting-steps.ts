/**
 * The secretary's steps of the meeting evening beside the votes, each a command that asks what
 * it needs step by step when typed alone: the room's paper count of a secret ballot (also for
 * the counting committee she names), the counting committee, the chair and the minute-taker,
 * the agenda, and the minutes read back and approved.
 */
import { recordPaperBallots } from '../../../api/meetings/record-paper-ballots.ts';
import { nameCountingCommittee } from '../../../api/meetings/counting-committee.ts';
import { setMeetingOfficers } from '../../../api/meetings/set-meeting-officers.ts';
import { agendaFromText, setAgenda } from '../../../api/meetings/set-agenda.ts';
import { approveMinutes } from '../../../api/meetings/approve-minutes.ts';
import { getAttendanceView } from '../../../api/meetings/get-attendance-view.ts';
import { motionProgress } from '../../../api/meetings/motion-progress.ts';
import { choiceLabel, findMotion, motionChoices, type Motion } from '../../../api/meetings/motions.ts';
import { listCandidates } from '../../../api/meetings/open-election.ts';
import { findMeeting } from '../../../api/meetings/repository.ts';
import { formatVietnamDateTime } from '../../../api/text/vietnam-time.ts';
import { AppError } from '../../../api/errors.ts';
import { foldVietnamese } from '../../../api/text/fold.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Reply } from '../reply.ts';
import { startDialog } from '../dialog-state.ts';
import { currentMeeting, currentMotionId } from './meeting-context.ts';

export const NO_PAPER_WORDS = /^(khong|khong co|khong co phieu giay|none)$/;

export const paperCountCommand: Command = {
  name: 'phieugiay',
  aliases: ['phiếu giấy', 'nhap phieu giay', 'nhập phiếu giấy', 'kiem phieu', 'kiểm phiếu'],
  summary:
    'nhập số phiếu giấy của phòng họp (bỏ phiếu kín): phieugiay, từng bước; "phieugiay không" khi không có phiếu giấy',
  // The secretary, or the counting committee she named: the use case checks which.
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const motion = (await findMotion(ctx.deps.db, await currentMotionId(ctx)))!;
    if (NO_PAPER_WORDS.test(foldVietnamese(ctx.args))) return paperNoneReply(ctx, motion.id);
    if (motion.ballot !== 'secret')
      throw new AppError('validation', 'Biểu quyết công khai: kết quả tại phòng họp ghi bằng "giotay".');
    const steps = await paperSteps(ctx, motion);
    return startDialog(ctx, { flow: 'paper-count', motionId: motion.id, ...steps, counts: [] });
  },
};

/** What is counted on paper, one step each: the choices, or for an election the ballots and each name kept. */
async function paperSteps(ctx: CommandContext, motion: Motion): Promise<{ keys: string[]; labels: string[] }> {
  if (motion.kind !== 'election') {
    const keys = motionChoices(motion);
    return { keys, labels: keys.map((k) => `«${choiceLabel(k)}»`) };
  }
  const candidates = await listCandidates(ctx.deps.db, motion.id);
  return {
    keys: ['issued', 'received', 'invalid', ...candidates.map((c) => String(c.memberId))],
    labels: ['phát ra', 'thu về', 'không hợp lệ', ...candidates.map((c) => `giữ tên «${c.fullName}»`)],
  };
}

/** The last step of the paper count: recorded, and what is still missing before closing. */
export async function recordPaperReply(ctx: CommandContext, motionId: number, counts: Record<string, number>) {
  await recordPaperBallots(ctx.deps, ctx.principal, { motionId, counts });
  return { text: `Đã ghi số phiếu giấy.${await stillMissing(ctx, motionId)}` };
}

export async function paperNoneReply(ctx: CommandContext, motionId: number): Promise<Reply> {
  await recordPaperBallots(ctx.deps, ctx.principal, { motionId, none: true });
  return { text: `Đã ghi: tại phòng họp không có phiếu giấy.${await stillMissing(ctx, motionId)}` };
}

async function stillMissing(ctx: CommandContext, motionId: number): Promise<string> {
  const motion = (await findMotion(ctx.deps.db, motionId))!;
  const meeting = (await findMeeting(ctx.deps.db, motion.meetingId))!;
  const { missing } = await motionProgress(ctx.deps.db, motion, meeting);
  return missing.length
    ? `\nCòn thiếu:\n${missing.map((m) => `• ${m}`).join('\n')}`
    : '\nĐủ để kết thúc biểu quyết: bí thư bấm "Kết thúc biểu quyết".';
}

export const countingCommitteeCommand: Command = {
  name: 'bankiemphieu',
  aliases: ['ban kiểm phiếu', 'ban kiem phieu'],
  summary: 'cử ban kiểm phiếu (được nhập phiếu giấy): bankiemphieu 2 5 — số thứ tự trong danh sách có mặt',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    const people = await presentPeople(ctx);
    const numbers = ctx.args.match(/\d+/g)?.map(Number) ?? [];
    if (!numbers.length)
      return {
        text:
          `Ban kiểm phiếu: gõ "bankiemphieu" và số thứ tự các đồng chí, ví dụ: bankiemphieu 2 5\n` +
          people.list.map(([, name], i) => `${i + 1}. ${name}`).join('\n'),
      };
    const ids = numbers.map((n) => people.list[n - 1]?.[0]);
    if (ids.some((id) => id === undefined))
      throw new AppError('validation', `Số thứ tự phải từ 1 đến ${people.list.length}.`);
    const members = await nameCountingCommittee(ctx.deps, ctx.principal, {
      meetingId: people.meetingId,
      memberIds: ids as number[],
    });
    return {
      text:
        `Ban kiểm phiếu: ${members.map((m) => m.fullName).join(', ')}. ` +
        'Các đồng chí nhập phiếu giấy bằng "phieugiay".',
    };
  },
};

/** Those present at the meeting in progress (else its whole roll), numbered for a typed choice. */
async function presentPeople(ctx: CommandContext): Promise<{ meetingId: number; list: [number, string][] }> {
  const meeting = await currentMeeting(ctx, true);
  const view = await getAttendanceView(ctx.deps.db, meeting);
  const rows = view.present.length ? view.present : view.roll;
  return { meetingId: meeting.id, list: rows.map((r) => [r.memberId, r.fullName]) };
}

export const officersCommand: Command = {
  name: 'chutri',
  aliases: ['chủ trì', 'chu tri thu ky', 'chủ trì thư ký', 'thu ky', 'thư ký'],
  summary: 'ghi đồng chí chủ trì và thư ký buổi họp (ký biên bản), từng bước',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    const people = await presentPeople(ctx);
    return startDialog(ctx, { flow: 'officers', step: 'chair', meetingId: people.meetingId, people: people.list });
  },
};

export async function setOfficersReply(ctx: CommandContext, meetingId: number, chair: number, taker: number) {
  await setMeetingOfficers(ctx.deps, ctx.principal, { meetingId, chairMemberId: chair, minuteTakerMemberId: taker });
  const view = await getAttendanceView(ctx.deps.db, (await findMeeting(ctx.deps.db, meetingId))!);
  const name = (id: number) => view.roll.find((r) => r.memberId === id)?.fullName;
  return { text: `Đã ghi: chủ trì đồng chí ${name(chair)}, thư ký đồng chí ${name(taker)} (ký biên bản).` };
}

export const agendaCommand: Command = {
  name: 'noidunghop',
  aliases: ['nội dung họp', 'chương trình họp', 'chuong trinh hop'],
  summary: 'ghi nội dung (chương trình) buổi họp: mỗi mục một dòng, hoặc cách nhau bằng dấu ;',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    const meeting = await currentMeeting(ctx);
    const items = agendaFromText(afterCommandName(ctx));
    if (!items.length) return startDialog(ctx, { flow: 'agenda', meetingId: meeting.id });
    return setAgendaReply(ctx, meeting.id, items);
  },
};

/** The message as typed, lines kept, without the words that named the command (the router's args lose lines). */
function afterCommandName(ctx: CommandContext): string {
  const lines = (ctx.update.text ?? '').split('\n');
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  const nameWords = words(lines.join(' ')).length - words(ctx.args).length;
  lines[0] = words(lines[0]).slice(nameWords).join(' ');
  return lines.join('\n');
}

export async function setAgendaReply(ctx: CommandContext, meetingId: number, items: string[]): Promise<Reply> {
  const agenda = await setAgenda(ctx.deps, ctx.principal, { meetingId, items });
  return { text: `Đã ghi nội dung họp:\n${agenda.map((a) => `${a.position}. ${a.title}`).join('\n')}` };
}

export const approveMinutesCommand: Command = {
  name: 'thongquabienban',
  aliases: ['thông qua biên bản', 'thong qua bien ban', 'đã đọc biên bản'],
  summary: 'ghi: biên bản đã được đọc lại và thông qua tại buổi họp',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    const meeting = await currentMeeting(ctx, true);
    const { approvedAt } = await approveMinutes(ctx.deps, ctx.principal, meeting.id);
    return { text: `Đã ghi: biên bản đã được đọc lại và thông qua lúc ${formatVietnamDateTime(approvedAt)}.` };
  },
};

export const MEETING_STEP_COMMANDS = [
  paperCountCommand,
  countingCommitteeCommand,
  officersCommand,
  agendaCommand,
  approveMinutesCommand,
];
