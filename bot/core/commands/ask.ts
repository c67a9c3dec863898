/**
 * The Trợ lý ảo in chat: any private message that is not a command is a question
 * ("dang vien du bi co duoc bieu quyet khong"). Follow-ups use the previous question;
 * "xem nguồn" shows the quoted passages; 👍/👎 rate the answer.
 */
import { type Answer, answerChoice, askAssistant, type Citation } from '../../../knowledge/answer.ts';
import { assistant } from '../../../knowledge/assistant.ts';
import { rateAnswer } from '../../../knowledge/rate-answer.ts';
import { cellScope } from '../../../knowledge/scope.ts';
import { AppError } from '../../../api/errors.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Reply } from '../reply.ts';

interface LastAnswer {
  /** The topic a follow-up is read with (the thread's first question). */
  question: string;
  citations: Citation[];
}

export const askCommand: Command = {
  name: 'hoi',
  aliases: ['hỏi', 'tro ly', 'trợ lý', 'hoi dap', 'hỏi đáp'],
  summary: 'hỏi Trợ lý ảo về nghiệp vụ công tác đảng',
  audience: 'member',
  chats: 'private',
  fallback: true,
  async run(ctx) {
    if (!ctx.args.trim()) return { text: 'Đồng chí gõ câu hỏi, ví dụ: "Mức đóng đảng phí của đảng viên hưu trí?"' };
    const last = await ctx.session.get<LastAnswer>('assistant');
    const answer = await askAssistant(ctx.deps.db, assistant(), {
      question: ctx.args,
      scopePath: await cellScope(ctx.deps.db, ctx.member.cellId),
      memberId: ctx.member.id,
      previousQuestion: last?.question ?? null,
    });
    await ctx.session.set('assistant', { question: answer.topic, citations: answer.citations } satisfies LastAnswer);
    if (answer.choices.length)
      return {
        text: answer.text,
        choices: answer.choices.map((c) => ({
          label: c.label,
          action: { kind: 'assistant-choice', questionId: answer.questionId, chunkId: c.chunkId },
        })),
      };
    return answerReply(answer);
  },
  async onChoice(ctx, data) {
    const [id, rating] = data.split(':').map(Number);
    if (rating !== 1 && rating !== -1) throw new AppError('validation', 'Lựa chọn không hợp lệ.');
    await rateAnswer(ctx.deps.db, id, ctx.member.id, rating);
    return {
      text:
        rating === 1
          ? 'Cảm ơn đồng chí!'
          : 'Cảm ơn đồng chí, ban biên tập sẽ xem lại câu trả lời này. ' +
            'Cần thêm tài liệu nào, đồng chí có thể gửi "phananh <nội dung>".',
    };
  },
};

/** An answer with its 👍/👎 buttons. */
function answerReply(answer: Answer): Reply {
  return {
    text: answer.text,
    choices: [
      { label: '👍 Hữu ích', data: `hoi:${answer.questionId}:1` },
      { label: '👎 Chưa đúng', data: `hoi:${answer.questionId}:-1` },
    ],
  };
}

/** The member chose one of the articles offered: the answer from it, and "xem nguồn" shows it. */
export async function answerChosenArticle(ctx: CommandContext, questionId: number, chunkId: number): Promise<Reply> {
  const answer = await answerChoice(ctx.deps.db, assistant(), {
    questionId,
    chunkId,
    scopePath: await cellScope(ctx.deps.db, ctx.member.cellId),
    memberId: ctx.member.id,
  });
  await ctx.session.set('assistant', { question: answer.topic, citations: answer.citations } satisfies LastAnswer);
  return answerReply(answer);
}

export const sourcesCommand: Command = {
  name: 'xemnguon',
  aliases: ['xem nguồn', 'nguon', 'nguồn'],
  summary: 'xem nguyên văn các đoạn tài liệu của câu trả lời vừa rồi',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const last = await ctx.session.get<LastAnswer>('assistant');
    if (!last?.citations.length) return { text: 'Chưa có câu trả lời nào có nguồn để xem.' };
    return { text: last.citations.map((c) => `[${c.n}] ${c.source}\n«${c.quote}»`).join('\n\n') };
  },
};
