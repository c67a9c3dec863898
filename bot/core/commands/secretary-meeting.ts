/**
 * The secretary runs the meeting from chat: open it (room code and QR), watch attendance
 * and quorum, open a vote, record the room's show of hands, close the vote, close the meeting.
 */
import { openMeeting } from '../../../api/meetings/open-meeting.ts';
import { getAttendanceView } from '../../../api/meetings/get-attendance-view.ts';
import { openMotion } from '../../../api/meetings/open-motion.ts';
import { recordShowOfHands } from '../../../api/meetings/record-show-of-hands.ts';
import { closeMotion } from '../../../api/meetings/close-motion.ts';
import { closeMeeting } from '../../../api/meetings/close-meeting.ts';
import { listOverdueTasks, type Meeting } from '../../../api/meetings/repository.ts';
import { findOpenMotionId } from '../../../api/meetings/find-open-motion.ts';
import { findMotion } from '../../../api/meetings/motions.ts';
import { motionProgress, PAPER_WHERE } from '../../../api/meetings/motion-progress.ts';
import { meetingDate } from '../../../api/meetings/meeting-date.ts';
import type { DecisionKind } from '../../../api/rules/meeting-rules.ts';
import { foldVietnamese } from '../../../api/text/fold.ts';
import { AppError } from '../../../api/errors.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Reply } from '../reply.ts';
import { startDialog } from '../dialog-state.ts';
import { currentMeeting, currentMotionId } from './meeting-context.ts';
import { encodeStart } from '../deep-link.ts';

export const openMeetingCommand: Command = {
  name: 'mohop',
  aliases: ['mở họp', 'bat dau hop', 'bắt đầu họp'],
  summary: 'bắt đầu buổi họp, hiện mã điểm danh cho phòng họp',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    const confirm = foldVietnamese(ctx.args).includes('xac nhan');
    return openMeetingReply(ctx, (await currentMeeting(ctx)).id, confirm);
  },
};

/** Opens the meeting, or — hours before its time — asks to confirm with a button or "mohop xác nhận". */
export async function openMeetingReply(ctx: CommandContext, meetingId: number, confirm: boolean): Promise<Reply> {
  let meeting: Awaited<ReturnType<typeof openMeeting>>;
  try {
    meeting = await openMeeting(ctx.deps, ctx.principal, meetingId, { confirmEarly: confirm });
  } catch (e) {
    if (!(e instanceof AppError && (e.data as { confirmationRequired?: boolean })?.confirmationRequired)) throw e;
    return {
      text: `${e.message}\nBấm "Xác nhận bắt đầu họp", hoặc gõ: mohop xác nhận.`,
      choices: [{ label: 'Xác nhận bắt đầu họp', action: { kind: 'open-meeting', meetingId } }],
    };
  }
  const checkIn = { kind: 'room-check-in' as const, code: meeting.checkinCode! };
  return {
    text:
      `Buổi họp đã bắt đầu. Mã điểm danh tại phòng họp: ${meeting.checkinCode}\n` +
      `Đảng viên gõ: diemdanh ${meeting.checkinCode} (hoặc quét mã QR). ` +
      `Người họp trực tuyến gõ: diemdanh.`,
    qr: {
      text: `diemdanh ${meeting.checkinCode}`,
      start: encodeStart(checkIn),
      caption: `Mã điểm danh: ${meeting.checkinCode}`,
    },
    // The same link as the QR code, to forward to members in the room.
    deepLink: { label: 'Link điểm danh tại phòng họp', action: checkIn },
  };
}

export const attendanceCommand: Command = {
  name: 'tinhhinh',
  aliases: ['tình hình', 'ds diem danh', 'danh sách điểm danh', 'tinh hinh diem danh'],
  summary: 'xem điểm danh, số được triệu tập và số cần để đủ điều kiện',
  audience: 'secretary',
  chats: 'any',
  async run(ctx) {
    const meeting = await currentMeeting(ctx, true);
    const v = await getAttendanceView(ctx.deps.db, meeting, ctx.deps.clock.now());
    const overdue = await listOverdueTasks(ctx.deps.db, meeting.cellId, meetingDate(meeting.startsAt));
    const overdueTask = (t: (typeof overdue)[number]) =>
      `${t.title} (${t.assignee}, hạn ${t.dueOn.split('-').reverse().join('/')})`;
    const names = (rows: { fullName: string }[]) => rows.map((r) => r.fullName).join(', ') || 'không';
    return {
      text: [
        `Có mặt: ${v.present.length}. ${v.quorum.explanation}`,
        v.quorum.reached
          ? '✅ Đủ điều kiện tiến hành.'
          : `⚠️ Chưa đủ: cần ít nhất ${v.quorum.required} đảng viên chính thức được triệu tập có mặt.`,
        ...(await openMotionLines(ctx, meeting, v.majorityOfBase)),
        `Vắng có lý do: ${v.absentWithReason.map((r) => `${r.fullName} (${r.absenceReason})`).join(', ') || 'không'}`,
        v.started ? `Vắng không lý do: ${names(v.absentWithoutReason)}` : `Chưa điểm danh: ${names(v.notYetCheckedIn)}`,
        `Miễn sinh hoạt (vắng): ${names(v.exemptAbsent)}`,
        ...(v.guests.length ? [`Sinh hoạt tạm thời: ${names(v.guests)}`] : []),
        ...(overdue.length ? [`Nhiệm vụ quá hạn: ${overdue.map(overdueTask).join('; ')}`] : []),
      ].join('\n'),
    };
  },
};

/**
 * The vote in progress, with its own threshold (an admission needs at least 2/3, not more than
 * half), the ballots received and what is missing; with no vote open, what a resolution needs.
 */
async function openMotionLines(ctx: CommandContext, meeting: Meeting, majority: number): Promise<string[]> {
  const id = await findOpenMotionId(ctx.deps.db, meeting.id);
  const motion = id ? await findMotion(ctx.deps.db, id) : undefined;
  if (!motion) return [`Nghị quyết cần trên một nửa số được triệu tập: ${majority} phiếu tán thành.`];
  const p = await motionProgress(ctx.deps.db, motion, meeting);
  return [
    `Đang biểu quyết (${motion.ballot === 'secret' ? 'bỏ phiếu kín' : 'công khai'}): ${motion.title}`,
    `Cần ${p.threshold} của ${p.base}: ${p.needed} phiếu. Đã nhận ${p.received}/${p.online} phiếu trực tuyến.`,
    ...p.missing.map((m) => `• ${m}`),
  ];
}

const KIND_WORDS: [string, DecisionKind][] = [
  ['nghi quyet', 'resolution'],
  ['ket nap', 'admission'],
  ['cong nhan', 'recognition'],
  ['chinh thuc', 'recognition'],
  ['khai tru', 'expulsion'],
  ['ky luat', 'discipline'],
  ['bau', 'election'],
];

export const openMotionCommand: Command = {
  name: 'mobieuquyet',
  aliases: ['mở biểu quyết', 'mo bieu quyet'],
  summary: 'mở biểu quyết: mobieuquyet <nội dung> (thêm "kín" để bỏ phiếu kín); gõ "mobieuquyet" để được hỏi từng bước',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    if (!ctx.args.trim()) {
      await currentMeeting(ctx, true);
      return startDialog(ctx, { flow: 'open-motion', step: 'title' });
    }
    const secret = /\bkin\b/.test(foldVietnamese(ctx.args));
    const title = ctx.args.replace(/\s*\(?\bkín\b\)?\s*$/i, '').trim();
    return openMotionReply(ctx, { title, kind: kindOfWords(ctx.args), ballot: secret ? 'secret' : undefined });
  },
};

/** The decision kind a motion's wording names ("kết nạp…" → admission), else a plain question. */
export function kindOfWords(text: string): DecisionKind {
  const folded = foldVietnamese(text);
  return KIND_WORDS.find(([w]) => folded.includes(w))?.[1] ?? 'question';
}

export async function openMotionReply(
  ctx: CommandContext,
  input: { title: string; kind: DecisionKind; ballot?: 'open' | 'secret' },
): Promise<Reply> {
  const meeting = await currentMeeting(ctx, true);
  const motion = await openMotion(ctx.deps, ctx.principal, { meetingId: meeting.id, ...input });
  return {
    text: [
      `Đã mở biểu quyết (${motion.ballot === 'secret' ? 'bỏ phiếu kín' : 'công khai'}): ${motion.title}`,
      ...motion.warnings.map((w) => `⚠️ ${w}`),
      ...(motion.ballot === 'secret' && meeting.mode !== 'online'
        ? [`Phiếu giấy tại phòng họp: ban kiểm phiếu nhập ${PAPER_WHERE}.`]
        : []),
      'Đảng viên có mặt nhận nút biểu quyết trong chat. ' +
        'Kết thúc: bấm "Kết thúc biểu quyết" (hoặc gõ ketthucbieuquyet).',
    ].join('\n'),
  };
}

export const showOfHandsCommand: Command = {
  name: 'giotay',
  aliases: ['giơ tay', 'ket qua gio tay'],
  summary: 'ghi biểu quyết giơ tay tại phòng: giotay <tán thành> <không tán thành> <không biểu quyết>',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    const n = ctx.args.match(/\d+/g)?.map(Number) ?? [];
    if (n.length === 0) {
      await currentMotionId(ctx);
      return startDialog(ctx, { flow: 'show-of-hands', step: 'count', counts: [] });
    }
    if (n.length !== 3)
      throw new AppError('validation', 'Gõ: giotay 10 1 0 (tán thành, không tán thành, không biểu quyết).');
    return recordShowOfHandsReply(ctx, n as [number, number, number]);
  },
};

export async function recordShowOfHandsReply(ctx: CommandContext, n: [number, number, number]): Promise<Reply> {
  await recordShowOfHands(ctx.deps, ctx.principal, {
    motionId: await currentMotionId(ctx),
    for: n[0],
    against: n[1],
    abstain: n[2],
  });
  return { text: `Đã ghi biểu quyết giơ tay: tán thành ${n[0]}, không tán thành ${n[1]}, không biểu quyết ${n[2]}.` };
}

export const closeMotionCommand: Command = {
  name: 'ketthucbieuquyet',
  aliases: ['kết thúc biểu quyết', 'dong bieu quyet', 'đóng biểu quyết'],
  summary: 'kết thúc biểu quyết, công bố kết quả vào nhóm chi bộ',
  audience: 'secretary',
  chats: 'any',
  async run(ctx) {
    const confirm = foldVietnamese(ctx.args).includes('xac nhan');
    return closeMotionReply(ctx, await currentMotionId(ctx), confirm);
  },
};

/**
 * Closes the vote, or says what it waits for: a confirmation when too few voted (the command
 * again with "xác nhận", or the button, on every channel), or the room's paper count.
 */
export async function closeMotionReply(ctx: CommandContext, motionId: number, confirm: boolean): Promise<Reply> {
  try {
    return { text: (await closeMotion(ctx.deps, ctx.principal, motionId, { confirm })).text };
  } catch (e) {
    const data = e instanceof AppError ? (e.data as { confirmationRequired?: boolean; paperMissing?: boolean }) : {};
    if (data?.confirmationRequired)
      return {
        text: `${(e as AppError).message}\nBấm "Xác nhận kết thúc biểu quyết", hoặc gõ: ketthucbieuquyet xác nhận.`,
        choices: [{ label: 'Xác nhận kết thúc biểu quyết', action: { kind: 'close-motion', motionId } }],
      };
    if (data?.paperMissing)
      return {
        text: (e as AppError).message,
        choices: [
          { label: 'Nhập phiếu giấy', action: { kind: 'menu', item: 'paper-count' } },
          { label: 'Không có phiếu giấy', action: { kind: 'paper-none', motionId } },
        ],
      };
    throw e;
  }
}

export const closeMeetingCommand: Command = {
  name: 'ketthuchop',
  aliases: ['kết thúc họp', 'be mac', 'bế mạc'],
  summary: 'kết thúc buổi họp',
  audience: 'secretary',
  chats: 'private',
  async run(ctx) {
    const confirm = foldVietnamese(ctx.args).includes('xac nhan');
    return closeMeetingReply(ctx, (await currentMeeting(ctx, true)).id, confirm);
  },
};

export async function closeMeetingReply(ctx: CommandContext, meetingId: number, confirm: boolean): Promise<Reply> {
  try {
    const { warnings } = await closeMeeting(ctx.deps, ctx.principal, meetingId, { confirm });
    return {
      text: [
        'Đã kết thúc buổi họp. Đảng viên gõ "danhgia" để đánh giá buổi sinh hoạt.',
        ...warnings.map((w) => `⚠️ ${w}`),
      ].join('\n'),
    };
  } catch (e) {
    if (!(e instanceof AppError && (e.data as { confirmationRequired?: boolean })?.confirmationRequired)) throw e;
    return {
      text: `${e.message}\nBấm "Xác nhận kết thúc họp", hoặc gõ: ketthuchop xác nhận.`,
      choices: [{ label: 'Xác nhận kết thúc họp', action: { kind: 'close-meeting', meetingId } }],
    };
  }
}

export const SECRETARY_MEETING_COMMANDS = [
  openMeetingCommand,
  attendanceCommand,
  openMotionCommand,
  showOfHandsCommand,
  closeMotionCommand,
  closeMeetingCommand,
];
