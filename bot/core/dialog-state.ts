/**
 * Guided dialogues: an action that needs details asks for them one step at a time, with
 * buttons where there is a choice and "Hủy" at every step, instead of one line of syntax.
 * The one-line forms ("mobieuquyet …", "giotay 10 1 0", "phananh …") keep working; these
 * start when the details are missing. The step is kept in the chat's session, so a dialogue
 * survives a restart; one left for DIALOG_TTL_MINUTES is forgotten.
 */
import type { DecisionKind } from '../../api/rules/meeting-rules.ts';
import { foldVietnamese } from '../../api/text/fold.ts';
import type { CommandContext } from './command.ts';
import type { Choice, Reply } from './reply.ts';

export type Dialog =
  | { flow: 'open-motion'; step: 'title' }
  | { flow: 'open-motion'; step: 'kind'; title: string }
  | { flow: 'open-motion'; step: 'ballot'; title: string; decision: DecisionKind }
  | { flow: 'show-of-hands'; step: 'count'; counts: number[] }
  // noPhotos: a chat that cannot send a photo answers in one step.
  | { flow: 'feedback'; step: 'text'; noPhotos?: boolean }
  | { flow: 'feedback'; step: 'photo'; body: string }
  | { flow: 'absence'; step: 'reason'; meetingId: number }
  // The room's paper count, one number per choice (or per ballot figure and name of an election).
  | { flow: 'paper-count'; motionId: number; keys: string[]; labels: string[]; counts: number[] }
  // The chair and the minute-taker, by their number in the list of those present.
  | { flow: 'officers'; step: 'chair' | 'taker'; meetingId: number; people: [number, string][]; chair?: number }
  | { flow: 'agenda'; meetingId: number };

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

export async function save(ctx: Ctx, d: Dialog) {
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

const noPaper = (motionId: number): Choice => ({
  label: 'Không có phiếu giấy',
  action: { kind: 'paper-none', motionId },
});

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

export const ABSENCE_REASONS = ['Đi công tác', 'Ốm, đau', 'Việc gia đình'];

export function ask(d: Dialog): Reply {
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
        text:
          `Ghi kết quả giơ tay tại phòng — ${d.counts.length + 1}/3.\n` +
          `${COUNT_QUESTIONS[d.counts.length]} (gõ một số)`,
        choices: [CANCEL],
        expects: 'number',
      };
    case 'feedback':
      if (d.step === 'text')
        return {
          text: `Phản ánh${d.noPhotos ? '' : ' — bước 1/2'}.\nĐồng chí gõ nội dung phản ánh, kiến nghị:`,
          choices: [CANCEL],
        };
      return {
        text: 'Phản ánh — bước 2/2.\nĐồng chí có thể gửi kèm một ảnh ngay bây giờ, hoặc gửi luôn không kèm ảnh.',
        choices: [{ label: 'Gửi không kèm ảnh', action: { kind: 'skip-photo' } }, CANCEL],
      };
    case 'paper-count': {
      const i = d.counts.length;
      return {
        text:
          `Phiếu giấy tại phòng họp — ${i + 1}/${d.keys.length}.\n` +
          `Số phiếu ${d.labels[i]}? (gõ một số${i === 0 ? '; không ai bỏ phiếu giấy: gõ "không"' : ''})`,
        choices: [...(i === 0 ? [noPaper(d.motionId)] : []), CANCEL],
        expects: 'number',
      };
    }
    case 'officers':
      return {
        text:
          `Chủ trì, thư ký — bước ${d.step === 'chair' ? 1 : 2}/2.\n` +
          `Đồng chí nào ${d.step === 'chair' ? 'chủ trì' : 'làm thư ký'}? Gõ số thứ tự:\n` +
          d.people.map(([, name], i) => `${i + 1}. ${name}`).join('\n'),
        choices: [CANCEL],
        expects: 'number',
      };
    case 'agenda':
      return {
        text: 'Nội dung họp: đồng chí gõ các mục, mỗi mục một dòng (hoặc cách nhau bằng dấu ;).',
        choices: [CANCEL],
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
