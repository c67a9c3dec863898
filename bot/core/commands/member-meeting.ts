import { addOpinion } from '../../../api/meetings/add-opinion.ts';
import { rateMeeting } from '../../../api/meetings/rate-meeting.ts';
import { completeTask } from '../../../api/meetings/adopt-resolution.ts';
import { QUALITY_LEVELS } from '../../../api/rules/meeting-rules.ts';
import { versionInForce } from '../../../api/rules/rule.ts';
import { meetingDate } from '../../../api/meetings/meeting-date.ts';
import { AppError } from '../../../api/errors.ts';
import type { Command } from '../command.ts';
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
    const meeting = await currentMeetingOrLastClosed(ctx);
    if (ctx.args) {
      await rateMeeting(ctx.deps, ctx.principal, { meetingId: meeting, level: ctx.args });
      return { text: 'Cảm ơn đồng chí đã đánh giá.' };
    }
    const date = meetingDate(new Date());
    return {
      text: 'Đồng chí đánh giá chất lượng buổi sinh hoạt:',
      choices: versionInForce(QUALITY_LEVELS, date).value.map((l) => ({
        label: l.label,
        data: `danhgia:${meeting}:${l.key}`,
      })),
    };
  },
  async onChoice(ctx, data) {
    const [meetingId, level] = data.split(':');
    await rateMeeting(ctx.deps, ctx.principal, { meetingId: Number(meetingId), level });
    return { text: 'Cảm ơn đồng chí đã đánh giá.' };
  },
};

async function currentMeetingOrLastClosed(ctx: Parameters<Command['run']>[0]): Promise<number> {
  const [m] = await ctx.deps.db.query<{ id: number }>(
    `select id from meetings where cell_id = $1 and status <> 'scheduled' order by (status = 'in_progress') desc, closed_at desc nulls last limit 1`,
    [ctx.member.cellId],
  );
  if (!m) return (await currentMeeting(ctx)).id;
  return m.id;
}

/** nhiemvu — my open tasks (overdue ones first), each with a "done" button. */
export const tasksCommand: Command = {
  name: 'nhiemvu',
  aliases: ['nhiệm vụ', 'viec cua toi', 'việc của tôi'],
  summary: 'xem nhiệm vụ được giao, báo hoàn thành',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const tasks = await ctx.deps.db.query<{ id: number; title: string; dueOn: string; overdue: boolean }>(
      `select id, title, due_on as "dueOn", due_on < current_date as overdue from tasks
        where assignee_member_id = $1 and status = 'open' order by due_on limit 10`,
      [ctx.member.id],
    );
    if (!tasks.length) return { text: 'Đồng chí không có nhiệm vụ nào đang mở.' };
    return {
      text: tasks
        .map(
          (t, i) =>
            `${i + 1}. ${t.title} — hạn ${t.dueOn.split('-').reverse().join('/')}${t.overdue ? ' (QUÁ HẠN)' : ''}`,
        )
        .join('\n'),
      choices: tasks.map((t, i) => ({ label: `Xong việc ${i + 1}`, data: `nhiemvu:${t.id}` })),
    };
  },
  async onChoice(ctx, data) {
    const id = Number(data.split(':')[0]);
    if (!id) throw new AppError('validation', 'Lựa chọn không hợp lệ.');
    const task = await completeTask(ctx.deps, ctx.principal, id);
    return { text: `Đã ghi nhận hoàn thành: ${task.title}.` };
  },
};
