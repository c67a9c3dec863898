/**
 * A pressed button (or a typed number standing for one), decoded to a typed action, and what
 * the core does with it. Menu items run the same commands typing their name would.
 */
import type { ChatAction, MenuItem } from './actions.ts';
import type { CommandContext } from './command.ts';
import type { Reply } from './reply.ts';
import { asList, runNamed } from './run-command.ts';
import { CANCELLED } from './dialog-state.ts';
import { vote, voteOnPaperReply } from './commands/vote.ts';
import { openMeetingReply } from './commands/secretary-meeting.ts';
import { confirmScheduledMeeting } from './commands/schedule-meeting.ts';
import { answerAttendance } from './commands/meeting-info.ts';
import { finishTask, rate } from './commands/member-meeting.ts';
import { closeMeetingReply, closeMotionReply } from './commands/secretary-meeting.ts';
import { paperNoneReply } from './commands/meeting-steps.ts';
import { acknowledge, noticesPage, showNotice } from './commands/notices.ts';
import { answerChosenArticle } from './commands/ask.ts';

export const STALE: Reply = { text: 'Lựa chọn này đã hết hiệu lực.' };

/** Menu items that run a command as if its name had been typed alone. */
const MENU_COMMANDS: Partial<Record<MenuItem, string>> = {
  meeting: 'lichhop',
  checkin: 'diemdanh',
  vote: 'bieuquyet',
  notices: 'thongbao',
  tasks: 'nhiemvu',
  feedback: 'phananh',
  more: 'xemthem',
  help: 'trogiup',
  'open-meeting': 'mohop',
  attendance: 'tinhhinh',
  'open-motion': 'mobieuquyet',
  'show-of-hands': 'giotay',
  'close-motion': 'ketthucbieuquyet',
  'close-meeting': 'ketthuchop',
  'paper-count': 'phieugiay',
  rate: 'danhgia',
  'my-feedback': 'phananhcuatoi',
  console: 'admin',
};

export async function handleAction(ctx: CommandContext, action: ChatAction): Promise<Reply[]> {
  switch (action.kind) {
    case 'vote':
      return [await vote(ctx, action.motionId, action.choice)];
    case 'vote-on-paper':
      return [await voteOnPaperReply(ctx, action.meetingId)];
    case 'attend':
      return [await answerAttendance(ctx, action.meetingId, action.attending)];
    case 'task-done':
      return [await finishTask(ctx, action.taskId)];
    case 'notice-read':
      return [await acknowledge(ctx, action.noticeId)];
    case 'notice-open':
      return [await showNotice(ctx, action.noticeId)];
    case 'notices-page':
      return [await noticesPage(ctx, action.page)];
    case 'rate-meeting':
      return [await rate(ctx, action.meetingId, action.level)];
    case 'rate-answer': {
      const ask = ctx.commands.find((c) => c.name === 'hoi' && c.onChoice);
      if (!ask?.onChoice) return [STALE];
      return asList(await ask.onChoice(ctx, `${action.questionId}:${action.rating}`));
    }
    case 'assistant-choice':
      return asList(await answerChosenArticle(ctx, action.questionId, action.chunkId));
    case 'menu':
      return runMenuItem(ctx, action.item);
    case 'schedule-meeting':
      return [await confirmScheduledMeeting(ctx, action.confirm)];
    case 'cancel':
      return [CANCELLED];
    case 'close-motion':
      return [await closeMotionReply(ctx, action.motionId, true)];
    case 'close-meeting':
      return [await closeMeetingReply(ctx, action.meetingId, true)];
    case 'open-meeting':
      return [await openMeetingReply(ctx, action.meetingId, true)];
    case 'paper-none':
      return [await paperNoneReply(ctx, action.motionId)];
    // Steps of a dialogue that is no longer open.
    case 'motion-kind':
    case 'ballot':
    case 'skip-photo':
    case 'pick':
      return [STALE];
  }
}

export async function runMenuItem(ctx: CommandContext, item: MenuItem): Promise<Reply[]> {
  if (item === 'ask')
    return [
      {
        text:
          'Đồng chí gõ câu hỏi về công tác đảng, ví dụ: "Đảng viên dự bị có được biểu quyết không?" ' +
          'Trợ lý ảo trả lời kèm nguồn.',
      },
    ];
  if (item === 'hide-keyboard')
    return [{ text: 'Đã ẩn menu dưới ô soạn tin. Gõ "menu" khi cần hiện lại.', keyboard: 'hide' }];
  const name = MENU_COMMANDS[item];
  return name ? runNamed(ctx, name) : [STALE];
}
