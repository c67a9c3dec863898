import { addOpinion } from '../../../api/meetings/add-opinion.ts';
import { rateMeeting } from '../../../api/meetings/rate-meeting.ts';
import { completeTask } from '../../../api/meetings/adopt-resolution.ts';
import { findMeetingToRate } from '../../../api/meetings/find-meeting-to-rate.ts';
import { listMemberTasks } from '../../../api/meetings/list-member-tasks.ts';
import { QUALITY_LEVELS } from '../../../api/rules/meeting-rules.ts';
import { versionInForce } from '../../../api/rules/rule.ts';
import { meetingDate } from '../../../api/meetings/meeting-date.ts';
import type { Command, CommandContext } from '../command.ts';
import { currentMeeting } from './meeting-context.ts';

/** ykien [số nội dung] <ý kiến> — an opinion on an agenda item, recorded with the member's name. */
export const opinionCommand: Command = {
  name: 'ykien',
  aliases: ['ý kiến', 'gop y', 'góp ý', 'phat bieu', 'phát biểu'],
  summary: 'góp ý kiến vào nội dung họp: ykien 2 <ý kiến về nội dung số 2>',
  audience: 'member',
  chats: 'any',
  async run(ctx) {
    const m = /^(\d{1,2})\s+([\s\S]+)$/.exec(ctx.args);
    const meeting = await currentMeeting(ctx);
    await addOpinion(ctx.deps, ctx.principal, {
      meetingId: meeting.id,
      itemPosition: m ? Number(m[1]) : null,
      body: m ? m[2] : ctx.args,
    });
    return { text: 'Đã ghi ý kiến của đồng chí vào biên bản.' };
  },
};

/** danhgia — rate the meeting's quality. */
export const rateCommand: Command = {
  name: 'danhgia',
  aliases: ['đánh giá', 'danh gia buoi hop'],
  summary: 'đánh giá chất lượng buổi họp',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const meetingId = (await findMeetingToRate(ctx.deps.db, ctx.member.cellId)) ?? (await currentMeeting(ctx)).id;
    if (ctx.args) return rate(ctx, meetingId, ctx.args);
    // rule: meeting.quality_levels — the levels in force today (api/rules/meeting-rules.ts)
    const levels = versionInForce(QUALITY_LEVELS, meetingDate(new Date())).value;
    return {
      text: 'Đồng chí đánh giá chất lượng buổi sinh hoạt:',
      choices: levels.map((l) => ({ label: l.label, action: { kind: 'rate-meeting', meetingId, level: l.key } })),
    };
  },
};

export async function rate(ctx: CommandContext, meetingId: number, level: string) {
  await rateMeeting(ctx.deps, ctx.principal, { meetingId, level });
  return { text: 'Cảm ơn đồng chí đã đánh giá.' };
}

/** nhiemvu — my open tasks (overdue ones first), each with a "done" button. */
export const tasksCommand: Command = {
  name: 'nhiemvu',
  aliases: ['nhiệm vụ', 'viec cua toi', 'việc của tôi'],
  summary: 'xem nhiệm vụ được giao, báo hoàn thành',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const tasks = await listMemberTasks(ctx.deps.db, ctx.member.id);
    if (!tasks.length) return { text: 'Đồng chí không có nhiệm vụ nào đang mở.' };
    return {
      text: tasks
        .map(
          (t, i) =>
            `${i + 1}. ${t.title} — hạn ${t.dueOn.split('-').reverse().join('/')}${t.overdue ? ' (QUÁ HẠN)' : ''}`,
        )
        .join('\n'),
      choices: tasks.map((t, i) => ({ label: `Xong việc ${i + 1}`, action: { kind: 'task-done', taskId: t.id } })),
    };
  },
};

export async function finishTask(ctx: CommandContext, taskId: number) {
  const task = await completeTask(ctx.deps, ctx.principal, taskId);
  return { text: `Đã ghi nhận hoàn thành: ${task.title}.` };
}
