/**
 * Guided dialogues: an action that needs details asks for them one step at a time, with
 * buttons where there is a choice and "Hủy" at every step, instead of one line of syntax.
 * The one-line forms ("mobieuquyet …", "giotay 10 1 0", "phananh …") keep working; these
 * start when the details are missing. The step is kept in the chat's session, so a dialogue
 * survives a restart; one left for DIALOG_TTL_MINUTES is forgotten.
 */
import type { DecisionKind } from '../../api/rules/meeting-rules.ts';
import { DECISIONS } from '../../api/rules/meeting-rules.ts';
import { versionInForce } from '../../api/rules/rule.ts';
import { foldVietnamese } from '../../api/text/fold.ts';
import type { ChatAction } from './actions.ts';
import type { CommandContext } from './command.ts';
import type { Choice, Reply } from './reply.ts';
import { openMotionReply, recordShowOfHandsReply, kindOfWords } from './commands/secretary-meeting.ts';
import { sendFeedbackReply } from './commands/feedback.ts';
import { reportAbsence } from './commands/meeting-info.ts';

export type Dialog =
  | { flow: 'open-motion'; step: 'title' }
  | { flow: 'open-motion'; step: 'kind'; title: string }
  | { flow: 'open-motion'; step: 'ballot'; title: string; decision: DecisionKind }
  | { flow: 'show-of-hands'; step: 'count'; counts: number[] }
  | { flow: 'feedback'; step: 'text' }
  | { flow: 'feedback'; step: 'photo'; body: string }
  | { flow: 'absence'; step: 'reason'; meetingId: number };

const KEY = 'dialog';
export const DIALOG_TTL_MINUTES = 30;

type Ctx = Pick<CommandContext, 'deps' | 'session' | 'principal' | 'member' | 'update'>;
type Stored = Dialog & { at: string };

export async function currentDialog(ctx: Pick<Ctx, 'session' | 'deps'>): Promise<Dialog | undefined> {
  const d = await ctx.session.get<Stored>(KEY);
  if (!d) return undefined;
  if (ctx.deps.clock.now().getTime() - Date.parse(d.at) > DIALOG_TTL_MINUTES * 60_000) {
    await ctx.session.set(KEY, null);
    return undefined;
  }
  return d;
}

export const endDialog = (ctx: Pick<Ctx, 'session'>) => ctx.session.set(KEY, null);

async function save(ctx: Ctx, d: Dialog) {
  await ctx.session.set(KEY, { ...d, at: ctx.deps.clock.now().toISOString() });
}

/** Starts (or restarts) a dialogue at its first step and asks the first question. */
export async function startDialog(ctx: Ctx, d: Dialog): Promise<Reply> {
  await save(ctx, d);
  return ask(d);
}

const CANCEL: Choice = { label: 'Hủy', action: { kind: 'cancel' } };
const CANCEL_WORDS = new Set(['huy', 'huy bo', 'thoi', 'dung', 'cancel', 'khong lam nua', 'x']);
export const isCancelWord = (text: string) =>
  CANCEL_WORDS.has(
    foldVietnamese(text)
      .replace(/^\//, '')
      .replace(/[^a-z ]/g, '')
      .trim(),
  );

export const CANCELLED: Reply = { text: 'Đã hủy, không có gì được ghi.' };

const COUNT_QUESTIONS = ['Số tán thành?', 'Số không tán thành?', 'Số không biểu quyết?'];

/** The motion kinds a secretary picks from, in plain words. */
export const KIND_BUTTONS: [DecisionKind, string][] = [
  ['resolution', 'Nghị quyết'],
  ['admission', 'Kết nạp đảng viên'],
  ['recognition', 'Công nhận chính thức'],
  ['discipline', 'Kỷ luật'],
  ['expulsion', 'Khai trừ'],
  ['election', 'Bầu cử'],
  ['question', 'Vấn đề khác'],
];

const ABSENCE_REASONS = ['Đi công tác', 'Ốm, đau', 'Việc gia đình'];

function ask(d: Dialog): Reply {
  switch (d.flow) {
    case 'open-motion':
      if (d.step === 'title')
        return {
          text: 'Mở biểu quyết — bước 1/2.\nNội dung cần biểu quyết là gì? (ví dụ: Thông qua nghị quyết tháng 3)',
          choices: [CANCEL],
        };
      if (d.step === 'kind')
        return {
          text: `Mở biểu quyết — bước 2/2.\n«${d.title}» thuộc loại nào?`,
          choices: [
            ...KIND_BUTTONS.map(([decision, label]): Choice => ({ label, action: { kind: 'motion-kind', decision } })),
            CANCEL,
          ],
        };
      return {
        text: `«${d.title}»: chi bộ biểu quyết công khai hay bỏ phiếu kín?`,
        choices: [
          { label: 'Công khai (giơ tay)', action: { kind: 'ballot', ballot: 'open' } },
          { label: 'Bỏ phiếu kín', action: { kind: 'ballot', ballot: 'secret' } },
          CANCEL,
        ],
      };
    case 'show-of-hands':
      return {
        text: `Ghi kết quả giơ tay tại phòng — ${d.counts.length + 1}/3.\n${COUNT_QUESTIONS[d.counts.length]} (gõ một số)`,
        choices: [CANCEL],
        expects: 'number',
      };
    case 'feedback':
      if (d.step === 'text')
        return { text: 'Phản ánh — bước 1/2.\nĐồng chí gõ nội dung phản ánh, kiến nghị:', choices: [CANCEL] };
      return {
        text: 'Phản ánh — bước 2/2.\nĐồng chí có thể gửi kèm một ảnh ngay bây giờ, hoặc gửi luôn không kèm ảnh.',
        choices: [{ label: 'Gửi không kèm ảnh', action: { kind: 'skip-photo' } }, CANCEL],
      };
    case 'absence':
      return {
        text: 'Báo vắng: đồng chí chọn lý do, hoặc gõ lý do khác.',
        choices: [
          ...ABSENCE_REASONS.map((label, index): Choice => ({ label, action: { kind: 'pick', index } })),
          CANCEL,
        ],
      };
  }
}

/** The dialogue's answer to the member's next message or button. */
export async function continueDialog(
  ctx: CommandContext,
  d: Dialog,
  input: { text?: string; action?: ChatAction; photo?: boolean },
): Promise<Reply | Reply[]> {
  const text = input.text?.trim() ?? '';
  if (input.action?.kind === 'cancel' || (text && isCancelWord(text))) {
    await endDialog(ctx);
    return CANCELLED;
  }
  switch (d.flow) {
    case 'open-motion': {
      if (d.step === 'title') {
        if (!text) return ask(d);
        const title = text.replace(/\s+/g, ' ').slice(0, 500);
        const guessed = kindOfWords(title);
        // A title that names its kind ("kết nạp đồng chí A") needs no second question.
        if (guessed !== 'question') return next(ctx, { title }, guessed);
        return saveAndAsk(ctx, { flow: 'open-motion', step: 'kind', title });
      }
      if (d.step === 'kind') {
        const decision =
          input.action?.kind === 'motion-kind' ? input.action.decision : text ? kindFromText(text) : undefined;
        if (!decision) return ask(d);
        return next(ctx, d, decision);
      }
      const ballot =
        input.action?.kind === 'ballot'
          ? input.action.ballot
          : /\bkin\b/.test(foldVietnamese(text))
            ? 'secret'
            : /cong khai|gio tay/.test(foldVietnamese(text))
              ? 'open'
              : undefined;
      if (!ballot) return ask(d);
      await endDialog(ctx);
      return openMotionReply(ctx, { title: d.title, kind: d.decision, ballot });
    }
    case 'show-of-hands': {
      if (!/^\d{1,4}$/.test(text)) return { ...ask(d), text: `Xin gõ một số, ví dụ 12.\n${ask(d).text}` };
      const counts = [...d.counts, Number(text)];
      if (counts.length < 3) return saveAndAsk(ctx, { ...d, counts });
      await endDialog(ctx);
      return recordShowOfHandsReply(ctx, counts as [number, number, number]);
    }
    case 'feedback': {
      if (d.step === 'text') {
        if (input.photo) {
          await endDialog(ctx);
          return sendFeedbackReply(ctx, text, false);
        }
        if (!text) return ask(d);
        return saveAndAsk(ctx, { flow: 'feedback', step: 'photo', body: text });
      }
      if (input.photo || input.action?.kind === 'skip-photo') {
        await endDialog(ctx);
        return sendFeedbackReply(ctx, [d.body, text].filter(Boolean).join('\n'), false);
      }
      return ask(d);
    }
    case 'absence': {
      const reason = input.action?.kind === 'pick' ? ABSENCE_REASONS[input.action.index] : text;
      if (!reason) return ask(d);
      await endDialog(ctx);
      return reportAbsence(ctx, d.meetingId, reason);
    }
  }
}

async function saveAndAsk(ctx: Ctx, d: Dialog): Promise<Reply> {
  await save(ctx, d);
  return ask(d);
}

/** After the kind: open at once, unless the rules let the meeting choose the ballot. */
async function next(ctx: CommandContext, d: { title: string }, decision: DecisionKind): Promise<Reply> {
  // rule: vote ballots — api/rules/meeting-rules.ts DECISIONS (secret for discipline, expulsion, elections)
  const rule = versionInForce(DECISIONS[decision], ctx.deps.clock.now().toISOString().slice(0, 10)).value;
  if (rule.ballot === 'choice')
    return saveAndAsk(ctx, { flow: 'open-motion', step: 'ballot', title: d.title, decision });
  await endDialog(ctx);
  return openMotionReply(ctx, { title: d.title, kind: decision });
}

function kindFromText(text: string): DecisionKind | undefined {
  const folded = foldVietnamese(text);
  const byLabel = KIND_BUTTONS.find(([, label]) => foldVietnamese(label) === folded)?.[0];
  if (byLabel) return byLabel;
  const guessed = kindOfWords(text);
  return guessed === 'question' && !/khac|bieu quyet/.test(folded) ? undefined : guessed;
}
