/**
 * Help that fits one phone screen: the member's main actions in plain words with the main
 * menu as buttons (a short numbered list on Zalo), "Xem thêm" for every other command, and for
 * a secretary the meeting actions valid now in a separate message. Every usual way to ask
 * reaches it: giúp, trợ giúp, hướng dẫn, menu, /help, /start (with or without diacritics).
 */
import { foldVietnamese } from '../../../api/text/fold.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Reply } from '../reply.ts';
import type { MenuItem } from '../actions.ts';
import { MENU_LABELS, meetingState, menuChoices, menuItems, otherItems, restOfMenu, secretaryItems } from '../menu.ts';

const MEMBER_LINES: [keyof typeof MENU_LABELS, string][] = [
  ['meeting', 'xem lịch, báo tham dự hay vắng'],
  ['checkin', 'khi buổi họp đang diễn ra'],
  ['vote', 'khi có nội dung đang biểu quyết'],
  ['notices', 'đọc và xác nhận đã đọc'],
  ['ask', 'hỏi về công tác đảng, có trích nguồn'],
  ['feedback', 'gửi ý kiến, kiến nghị lên chi bộ'],
];

type HelpCtx = Pick<CommandContext, 'update' | 'isSecretary' | 'deps' | 'member' | 'commands'>;

/**
 * The short help with the main menu. A secretary's meeting actions come in their own
 * section, after the member's, and their buttons after the member's (one numbered list on Zalo).
 */
export async function helpFor(ctx: HelpCtx, opts: { keyboard?: boolean } = {}): Promise<Reply[]> {
  if (ctx.update.chat.kind === 'group') return [fullHelp(ctx, ctx.commands)];
  const state = await meetingState(ctx);
  const secretary = ctx.isSecretary ? secretaryItems(state) : [];
  const { shown } = menuItems(state, { isSecretary: ctx.isSecretary, numbered: ctx.update.numberedChoices });
  return [
    {
      text: [
        'Đồng chí chọn việc bên dưới, hoặc gõ tên việc (có dấu hay không dấu đều được):',
        ...MEMBER_LINES.map(([item, what]) => `• ${MENU_LABELS[item]} — ${what}`),
        'Các việc khác (nhiệm vụ, đánh giá buổi họp, hủy liên kết…): chọn "Xem thêm".',
        ...(ctx.isSecretary ? ['', secretaryHelp(state, secretary)] : []),
      ].join('\n'),
      menu: menuChoices(shown),
      keyboard: opts.keyboard ? 'show' : undefined,
    },
  ];
}

function secretaryHelp(state: Awaited<ReturnType<typeof meetingState>>, items: MenuItem[]): string {
  const now =
    state.meeting?.status === 'scheduled'
      ? 'Buổi họp sắp tới chưa bắt đầu.'
      : state.meeting?.status === 'in_progress'
        ? state.openMotionId
          ? 'Buổi họp đang diễn ra, có nội dung đang biểu quyết.'
          : 'Buổi họp đang diễn ra.'
        : 'Chi bộ chưa có buổi họp nào được lên lịch (lên lịch trên trang quản trị).';
  const buttons = items.map((i) => MENU_LABELS[i]).join(', ');
  return (
    `Dành cho bí thư chi bộ: ${now}${items.length ? ` Lúc này: ${buttons}.` : ''}` +
    `\nGắn nhóm chat của chi bộ: gõ "ganchibo".`
  );
}

/** Every command this member may use here, one line each ("Xem thêm", and help in a group). */
export function fullHelp(ctx: Pick<CommandContext, 'update' | 'isSecretary'>, commands: readonly Command[]): Reply {
  const inGroup = ctx.update.chat.kind === 'group';
  const usable = commands.filter(
    (c) =>
      !c.fallback &&
      // The console is for those who run a cell: a plain member is never shown /admin.
      (c.name !== 'admin' || ctx.isSecretary) &&
      (c.chats === 'any' || (c.chats === 'group') === inGroup) &&
      (c.audience === 'member' || ctx.isSecretary),
  );
  const line = (c: Command) => `/${c.name}${c.aliases[0] ? ` (${c.aliases[0]})` : ''} — ${c.summary}`;
  const forMembers = usable.filter((c) => c.audience === 'member').map(line);
  const forSecretary = usable.filter((c) => c.audience === 'secretary').map(line);
  const assistant =
    !inGroup && commands.some((c) => c.fallback)
      ? ['', 'Hỏi đáp nghiệp vụ: cứ gõ câu hỏi, Trợ lý ảo sẽ trả lời kèm nguồn.']
      : [];
  return {
    text: [
      inGroup ? 'Lệnh dùng trong nhóm chi bộ:' : 'Tất cả các lệnh (gõ có dấu hay không dấu đều được):',
      ...forMembers,
      ...(forSecretary.length ? ['', 'Dành cho bí thư chi bộ:', ...forSecretary] : []),
      ...assistant,
    ].join('\n'),
  };
}

export const shortHelp = (): Reply => ({
  text: 'Mình chưa hiểu ý đồng chí. Gõ "trợ giúp" (hoặc "tro giup") để xem các việc có thể làm.',
});

const MORE_WORDS = /^(xem )?them$|^tat ca( lenh)?$/;

export const helpCommand: Command = {
  name: 'trogiup',
  aliases: ['trợ giúp', 'giúp', 'giup do', 'help', 'huongdan', 'hướng dẫn', 'menu', 'danh mục'],
  summary: 'xem các việc có thể làm',
  audience: 'member',
  chats: 'any',
  async run(ctx) {
    const args = foldVietnamese(ctx.args).trim();
    if (MORE_WORDS.test(args)) return fullHelp(ctx, ctx.commands);
    // "giúp tôi tính đảng phí hưu trí": a question that starts with "giúp" goes to the assistant.
    const fallback = ctx.commands.find((c) => c.fallback);
    if (fallback && ctx.update.chat.kind === 'private' && args.split(/\s+/).length >= 3)
      return fallback.run({ ...ctx, args: ctx.update.text?.trim() ?? ctx.args });
    const asksForMenu = /\bmenu\b/.test(foldVietnamese(ctx.update.text ?? ''));
    return helpFor(ctx, { keyboard: asksForMenu });
  },
};

/**
 * xemthem — "Xem thêm": in a private chat the other things a member does, as buttons with a
 * line each (and, where the menu is short numbers, the menu's other actions first); every
 * command as a list only when asked for by name ("tất cả lệnh"), or in a group.
 */
export const moreCommand: Command = {
  name: 'xemthem',
  aliases: ['xem thêm', 'tất cả lệnh', 'danh sách lệnh'],
  summary: 'xem các việc khác',
  audience: 'member',
  chats: 'any',
  async run(ctx) {
    const asksForCommands = /\blenh\b/.test(foldVietnamese(ctx.update.text ?? ''));
    if (ctx.update.chat.kind !== 'private' || asksForCommands) return fullHelp(ctx, ctx.commands);
    const rest = await restOfMenu(ctx);
    const others = otherItems(ctx.isSecretary);
    return {
      text: [
        'Các việc khác — đồng chí bấm nút, hoặc gõ tên việc (có dấu hay không dấu đều được):',
        ...others.map(([item, what]) => `• ${MENU_LABELS[item]} — ${what}`),
        // No button for it: one slip of the finger would cut the member off.
        '• Thôi nhận tin trên tài khoản chat này (khi đổi điện thoại): gõ "hủy liên kết".',
        ...(ctx.isSecretary ? ['Gắn nhóm chat của chi bộ với bot: gõ "ganchibo" trong nhóm.'] : []),
      ].join('\n'),
      menu: [...rest, ...menuChoices(others.map(([item]) => item))],
    };
  },
};
