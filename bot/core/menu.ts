/**
 * The main menu: the few things a member does, and for a secretary the meeting actions that
 * apply to the meeting's current state only. Shown as buttons (Telegram, web chat) or numbered
 * options (Zalo, kept short: see `menuItems`) after linking, after help and after each finished
 * action.
 */
import { findCellMeetingState } from '../../api/meetings/cell-meeting-state.ts';
import { foldVietnamese } from '../../api/text/fold.ts';
import type { MenuItem } from './actions.ts';
import type { CommandContext } from './command.ts';
import { KEYBOARD_ROWS, type Choice } from './reply.ts';

export const MENU_LABELS: Record<MenuItem, string> = {
  meeting: 'Lịch họp',
  checkin: 'Điểm danh',
  vote: 'Biểu quyết',
  notices: 'Thông báo mới',
  ask: 'Hỏi Trợ lý ảo',
  feedback: 'Phản ánh',
  tasks: 'Nhiệm vụ',
  more: 'Xem thêm',
  help: 'Trợ giúp',
  'open-meeting': 'Mở họp',
  attendance: 'Tình hình điểm danh',
  'open-motion': 'Mở biểu quyết',
  'show-of-hands': 'Ghi kết quả giơ tay',
  'close-motion': 'Kết thúc biểu quyết',
  'close-meeting': 'Kết thúc họp',
  'paper-count': 'Nhập phiếu giấy',
  'hide-keyboard': 'Ẩn menu',
  rate: 'Đánh giá buổi họp',
  'my-feedback': 'Phản ánh của tôi',
  console: 'Trang quản trị',
};

/** Where the member's cell stands now: what can be done depends on it. */
export interface MeetingState {
  meeting?: { id: number; status: 'scheduled' | 'in_progress' | 'closed' };
  openMotionId?: number;
  /** A secret ballot is counted in the room on paper, an open one by hands. */
  openMotionBallot?: 'open' | 'secret';
}

export async function meetingState(ctx: Pick<CommandContext, 'deps' | 'member'>): Promise<MeetingState> {
  return findCellMeetingState(ctx.deps.db, ctx.member.cellId);
}

/** The member's main actions: check-in while a meeting is on, voting while a vote is open. */
export function memberItems(state: MeetingState): MenuItem[] {
  const inProgress = state.meeting?.status === 'in_progress';
  return [
    'meeting',
    ...(inProgress ? (['checkin'] as const) : []),
    ...(state.openMotionId ? (['vote'] as const) : []),
    'notices',
    'ask',
    'feedback',
    'more',
  ];
}

/** A secretary's meeting actions valid in the meeting's current state. */
export function secretaryItems(state: MeetingState): MenuItem[] {
  switch (state.meeting?.status) {
    case 'scheduled':
      return ['open-meeting'];
    case 'in_progress':
      return state.openMotionId
        ? ['attendance', state.openMotionBallot === 'secret' ? 'paper-count' : 'show-of-hands', 'close-motion']
        : ['attendance', 'open-motion', 'close-meeting'];
    default:
      return [];
  }
}

/** At most this many numbers in a menu answered with a digit (Zalo), "Xem thêm" included. */
export const NUMBERED_MENU_MAX = 6;

/**
 * The menu's items in this chat. Buttons (Telegram, web chat) show them all: the member's,
 * then a secretary's. Where members answer with a digit (Zalo) the list stays short: the
 * actions that apply to the meeting's current state first (a secretary's, then check-in and
 * the vote), then the everyday ones, at most NUMBERED_MENU_MAX numbers with "Xem thêm" last;
 * `rest` is what "Xem thêm" offers as numbers.
 */
export function menuItems(
  state: MeetingState,
  o: { isSecretary: boolean; numbered?: boolean },
): { shown: MenuItem[]; rest: MenuItem[] } {
  const member = memberItems(state);
  const secretary = o.isSecretary ? secretaryItems(state) : [];
  if (!o.numbered) return { shown: [...member, ...secretary], rest: [] };
  const now: MenuItem[] = member.filter((i) => i === 'checkin' || i === 'vote');
  const everyday = member.filter((i) => !now.includes(i) && i !== 'more');
  const ordered = [...secretary, ...now, ...everyday];
  const room = NUMBERED_MENU_MAX - 1;
  return { shown: [...ordered.slice(0, room), 'more'], rest: ordered.slice(room) };
}

export const menuChoices = (items: MenuItem[]): Choice[] =>
  items.map((item) => ({ label: MENU_LABELS[item], action: { kind: 'menu', item } }));

type MenuCtx = Pick<CommandContext, 'deps' | 'member' | 'isSecretary' | 'update'>;

const menuOf = async (ctx: MenuCtx) =>
  menuItems(await meetingState(ctx), { isSecretary: ctx.isSecretary, numbered: ctx.update.numberedChoices });

/** The menu shown after a finished action (private chats only). */
export async function mainMenu(ctx: MenuCtx): Promise<Choice[]> {
  return menuChoices((await menuOf(ctx)).shown);
}

/**
 * What "Xem thêm" offers besides the main menu: the things a member does now and then, with
 * what each is for — the console only for those who run a cell.
 */
export function otherItems(isSecretary: boolean): [MenuItem, string][] {
  return [
    ['tasks', 'xem nhiệm vụ được giao, báo đã xong'],
    ['rate', 'đánh giá buổi sinh hoạt vừa rồi'],
    ['my-feedback', 'xem các phản ánh đã gửi và trả lời của chi bộ'],
    ...(isSecretary ? ([['console', 'mở trang quản trị trên máy tính']] as [MenuItem, string][]) : []),
  ];
}

/** What "Xem thêm" offers beyond a short numbered menu (none where every item is a button). */
export async function restOfMenu(ctx: MenuCtx): Promise<Choice[]> {
  return menuChoices((await menuOf(ctx)).rest);
}

const squash = (s: string) => foldVietnamese(s).replace(/[^a-z0-9]/g, '');

const KEYBOARD_ITEMS: Record<string, MenuItem> = {
  'Lịch họp': 'meeting',
  'Điểm danh': 'checkin',
  'Biểu quyết': 'vote',
  'Thông báo mới': 'notices',
  'Hỏi Trợ lý ảo': 'ask',
  'Phản ánh': 'feedback',
  'Trợ giúp': 'help',
  'Ẩn menu': 'hide-keyboard',
};
const BY_WORDS = new Map<string, MenuItem>(
  [
    ...Object.entries(KEYBOARD_ITEMS),
    ...Object.entries(MENU_LABELS).map(([item, label]) => [label, item as MenuItem] as const),
  ].map(([label, item]) => [squash(label), item]),
);
// Every label of the reply keyboard must lead somewhere.
for (const label of KEYBOARD_ROWS.flat()) {
  if (!BY_WORDS.has(squash(label))) throw new Error(`keyboard label without a menu item: ${label}`);
}

/**
 * The menu item a text names exactly (a reply-keyboard press sends its label as text, e.g.
 * "💬 Hỏi Trợ lý ảo"), so it does not reach the assistant as a question.
 */
export function menuItemForText(text: string): MenuItem | undefined {
  return BY_WORDS.get(squash(text));
}
