import { listFeedback, sendFeedback, STATUS_LABELS, type FeedbackStatus } from '../../../api/feedback/feedback.ts';
import { foldVietnamese } from '../../../api/text/fold.ts';
import { AppError } from '../../../api/errors.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Reply } from '../reply.ts';
import { startDialog } from '../dialog-state.ts';

/**
 * phananh <nội dung> — feedback to the cell's committee; "phananh len <nội dung>" sends it
 * to the level above. A photo with the caption "phananh …" is attached.
 */
export const feedbackCommand: Command = {
  name: 'phananh',
  aliases: ['phản ánh', 'kien nghi', 'kiến nghị', 'gop y chi bo'],
  summary: 'gửi phản ánh, kiến nghị (phananh len …: gửi cấp trên)',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    let text = ctx.args;
    const escalate = /^(len|cap tren)\b/.test(foldVietnamese(text));
    if (escalate) text = text.replace(/^\S+(\s+trên)?\s*/i, '');
    if (!text.trim() && !ctx.update.photo) {
      if (escalate)
        throw new AppError('validation', 'Gõ: phananh len <nội dung phản ánh> (có thể gửi kèm ảnh với chú thích này).');
      return startDialog(ctx, { flow: 'feedback', step: 'text', noPhotos: ctx.update.noPhotos });
    }
    return sendFeedbackReply(ctx, text, escalate);
  },
};

/** Sends the feedback, with the photo of this update if it carries one. */
export async function sendFeedbackReply(ctx: CommandContext, body: string, escalate: boolean): Promise<Reply> {
  const { id, orgName } = await sendFeedback(ctx.deps, ctx.principal, {
    body,
    photoRef: ctx.update.photo?.fileId ?? null,
    escalate,
  });
  return {
    text:
      `Đã gửi phản ánh #${id} tới ${orgName}. ` +
      `Đồng chí sẽ nhận trả lời tại đây. Gõ "phananhcuatoi" để xem tình trạng.`,
  };
}

export const myFeedbackCommand: Command = {
  name: 'phananhcuatoi',
  aliases: ['phản ánh của tôi', 'phan anh cua toi'],
  summary: 'xem tình trạng các phản ánh đã gửi',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const rows = (await listFeedback(ctx.deps, ctx.principal, {})) as {
      id: number;
      body: string;
      status: FeedbackStatus;
      answer: string | null;
    }[];
    if (!rows.length) return { text: 'Đồng chí chưa gửi phản ánh nào.' };
    return {
      text: rows
        .slice(0, 10)
        .map(
          (r) => `#${r.id} (${STATUS_LABELS[r.status]}): ${r.body.slice(0, 80)}${r.answer ? `\n   → ${r.answer}` : ''}`,
        )
        .join('\n'),
    };
  },
};
