import { describe, expect, it } from 'vitest';
import { matchCommand, namesCommandExactly } from '../../bot/core/router.ts';
import { splitText } from '../../bot/core/split-text.ts';
import { renderTelegram } from '../../bot/telegram/render.ts';
import { renderZalo } from '../../bot/zalo/render.ts';
import { codeInText } from '../../bot/core/commands/link.ts';
import type { Command } from '../../bot/core/command.ts';
import type { Reply } from '../../bot/core/reply.ts';
import { decodeAction, encodeAction, MENU_ITEMS, type ChatAction } from '../../bot/core/actions.ts';
import {
  memberItems,
  menuItemForText,
  menuItems,
  NUMBERED_MENU_MAX,
  secretaryItems,
  type MeetingState,
} from '../../bot/core/menu.ts';
import { decodeStart, encodeStart } from '../../bot/core/deep-link.ts';
import { renderWeb } from '../../bot/web/render.ts';
import { COMMANDS } from '../../bot/core/commands/index.ts';
import { GROUP_COMMANDS, PRIVATE_COMMANDS } from '../../bot/telegram/commands-menu.ts';

const cmd = (name: string, aliases: string[]): Command => ({
  name,
  aliases,
  summary: '',
  audience: 'member',
  chats: 'any',
  run: async () => ({ text: '' }),
});
const commands = [
  cmd('diemdanh', ['điểm danh', 'checkin']),
  cmd('bieuquyet', ['biểu quyết']),
  cmd('trogiup', ['trợ giúp']),
];

describe('matchCommand', () => {
  it.each([
    ['/diemdanh', 'diemdanh', ''],
    ['điểm danh', 'diemdanh', ''],
    ['diem danh', 'diemdanh', ''],
    ['Diem Danh', 'diemdanh', ''],
    ['/diemdanh@so_tay_bot', 'diemdanh', ''],
    ['diem dnah', 'diemdanh', ''],
    ['biểu quyết 12 đồng ý', 'bieuquyet', '12 đồng ý'],
    ['BIEU QUYET 12', 'bieuquyet', '12'],
  ])('%s → %s', (text, name, args) => {
    const m = matchCommand(text, commands)!;
    expect(m.command.name).toBe(name);
    expect(m.args).toBe(args);
  });

  it('does not guess from unrelated words or very short ones', () => {
    expect(matchCommand('xin chào', commands)).toBeUndefined();
    expect(matchCommand('dien', commands)).toBeUndefined();
  });

  it('tells an exact name from a typo (groups accept only exact names)', () => {
    expect(namesCommandExactly('Điểm danh nhé', commands[0])).toBe(true);
    expect(namesCommandExactly('diem dnah', commands[0])).toBe(false);
  });
});

describe('link codes in text', () => {
  it('finds the code after /start, lienket or alone', () => {
    expect(codeInText('/start ABCDE-12345')).toBe('ABCDE-12345');
    expect(codeInText('Liên kết abcde12345')).toBe('abcde12345');
    expect(codeInText('abcde-12345')).toBe('abcde-12345');
    expect(codeInText('xin chào')).toBeUndefined();
  });
});

describe('splitting long text', () => {
  it('keeps short text whole and splits long text on paragraphs, numbered', () => {
    expect(splitText('ngắn', 2000)).toEqual(['ngắn']);
    const paras = Array.from({ length: 30 }, (_, i) => `Đoạn ${i + 1}: ${'chữ '.repeat(40)}`);
    const parts = splitText(paras.join('\n\n'), 2000);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p.endsWith(`(${i + 1}/${parts.length})`)).toBe(true);
    });
    expect(parts[1].startsWith('Đoạn')).toBe(true);
  });
  it('cuts an oversize paragraph at word boundaries', () => {
    const parts = splitText('từ '.repeat(3000), 4096);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join(' ').match(/từ/g)!.length).toBe(3000);
  });
});

describe('rendering choices', () => {
  const reply: Reply = {
    text: 'Biểu quyết?',
    choices: [
      { label: 'Tán thành', action: { kind: 'vote', motionId: 1, choice: 'for' } },
      { label: 'Không', action: { kind: 'vote', motionId: 1, choice: 'against' } },
    ],
    menu: [{ label: 'Lịch họp', action: { kind: 'menu', item: 'meeting' } }],
  };
  const inline = (r: Reply) => {
    const markup = renderTelegram(r).at(-1)!.reply_markup;
    return markup && 'inline_keyboard' in markup ? markup.inline_keyboard.flat() : [];
  };
  it('Telegram: the choices then the menu as one inline keyboard, data from the codec', () => {
    expect(inline(reply).map((b) => [b.text, 'callback_data' in b ? b.callback_data : b.url])).toEqual([
      ['Tán thành', 'v:1:for'],
      ['Không', 'v:1:against'],
      ['Lịch họp', 'm:meeting'],
    ]);
  });
  it('Telegram: refuses callback data over 64 bytes', () => {
    expect(() => renderTelegram({ text: 'x', choices: [{ label: 'a', data: 'đ'.repeat(40) }] })).toThrow(/64 bytes/);
  });
  it('Telegram: the reply keyboard goes on a message without inline buttons, or on one of its own', () => {
    const alone = renderTelegram({ text: 'Chào đồng chí!', keyboard: 'show' });
    expect(alone).toHaveLength(1);
    const markup = alone[0].reply_markup as { keyboard: { text: string }[][] };
    expect(markup.keyboard.flat().map((b) => b.text)).toContain('📅 Lịch họp');
    const both = renderTelegram({ ...reply, keyboard: 'hide' });
    expect(both).toHaveLength(2);
    expect(both[1].reply_markup).toEqual({ remove_keyboard: true });
  });
  it('Zalo: choices and menu as one numbered list', () => {
    expect(renderZalo(reply)[0]).toContain('Trả lời bằng số:\n1. Tán thành\n2. Không\n3. Lịch họp');
  });
  it('Zalo: no numbered options when a number is expected, so a digit answers the question', () => {
    const [text] = renderZalo({ text: 'Số tán thành?', choices: reply.choices, expects: 'number' });
    expect(text).not.toContain('Trả lời bằng số');
    expect(text).toContain('hủy');
  });
});

describe('deep links', () => {
  const notice: Reply = {
    text: '📢 Thông báo: Lịch tiếp dân',
    deepLink: { label: 'Đọc và xác nhận', action: { kind: 'notice-open', noticeId: 12 } },
  };
  it('write and read the start payloads Telegram carries', () => {
    expect(encodeStart({ kind: 'notice-open', noticeId: 12 })).toBe('thongbao_12');
    expect(encodeStart({ kind: 'room-check-in', code: '012345' })).toBe('diemdanh_012345');
    expect(decodeStart('thongbao_12')).toEqual({ kind: 'notice-open', noticeId: 12 });
    expect(decodeStart('DIEMDANH_012345')).toEqual({ kind: 'room-check-in', code: '012345' });
    for (const bad of ['thongbao_0', 'thongbao_x', 'diemdanh_12345', 'ABCDE-12345', 'thongbao_1_2'])
      expect(decodeStart(bad), bad).toBeUndefined();
  });
  it('Telegram: a URL button to t.me/<bot>?start=… when the username is known, else what to type', () => {
    const [part] = renderTelegram(notice, { username: 'so_tay_bot' });
    expect(part.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Đọc và xác nhận', url: 'https://t.me/so_tay_bot?start=thongbao_12' }]],
    });
    expect(renderTelegram(notice)[0].text).toContain('Đọc và xác nhận: nhắn riêng cho bot và gõ "thông báo".');
  });
  it('Zalo and the web chat say what to type, unless the text already does', async () => {
    expect(renderZalo(notice)[0]).toContain('👉 Đọc và xác nhận: nhắn riêng cho bot và gõ "thông báo".');
    expect((await renderWeb(notice)).text).toContain('gõ "thông báo"');
    const room: Reply = {
      text: 'Mã điểm danh tại phòng họp: 123456. Đảng viên gõ: diemdanh 123456',
      deepLink: { label: 'Link điểm danh', action: { kind: 'room-check-in', code: '123456' } },
    };
    expect(renderZalo(room)[0]).toBe(room.text);
  });
});

describe('the button codec', () => {
  const actions: ChatAction[] = [
    { kind: 'vote', motionId: 12, choice: 'abstain' },
    { kind: 'attend', meetingId: 3, attending: false },
    { kind: 'task-done', taskId: 9 },
    { kind: 'notice-read', noticeId: 2_000_000_000 },
    { kind: 'notice-open', noticeId: 7 },
    { kind: 'notices-page', page: 2 },
    { kind: 'rate-meeting', meetingId: 4, level: 'trung_binh' },
    { kind: 'rate-answer', questionId: 5, rating: -1 },
    { kind: 'menu', item: 'show-of-hands' },
    { kind: 'motion-kind', decision: 'recognition' },
    { kind: 'ballot', ballot: 'secret' },
    { kind: 'skip-photo' },
    { kind: 'pick', index: 2 },
    { kind: 'cancel' },
  ];
  it.each(actions.map((a) => [a.kind, a] as const))('%s round-trips within 64 bytes', (_, action) => {
    const data = encodeAction(action);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(decodeAction(data)).toEqual(action);
  });
  it('every menu item round-trips', () => {
    for (const item of MENU_ITEMS)
      expect(decodeAction(encodeAction({ kind: 'menu', item }))).toEqual({ kind: 'menu', item });
  });
  it("reads buttons sent before the codec, and the assistant's own", () => {
    expect(decodeAction('bieuquyet:12:for')).toEqual({ kind: 'vote', motionId: 12, choice: 'for' });
    expect(decodeAction('lichhop:3:no')).toEqual({ kind: 'attend', meetingId: 3, attending: false });
    expect(decodeAction('nhiemvu:9:done')).toEqual({ kind: 'task-done', taskId: 9 });
    expect(decodeAction('nhiemvu:9')).toEqual({ kind: 'task-done', taskId: 9 });
    expect(decodeAction('dadoc:7')).toEqual({ kind: 'notice-read', noticeId: 7 });
    expect(decodeAction('hoi:5:1')).toEqual({ kind: 'rate-answer', questionId: 5, rating: 1 });
  });
  it.each([
    'v:12:for-now',
    'v:abc:for',
    'v:12',
    'v:12:for:extra',
    'v:0:for',
    'v:-3:for',
    'm:drop-tables',
    'k:coronation',
    'x:1',
    'unknown:1',
    '',
    `r:${'9'.repeat(70)}`,
  ])('rejects %j', (data) => {
    expect(decodeAction(data)).toBeUndefined();
  });
});

describe('the main menu follows the meeting', () => {
  it('a member sees check-in while a meeting is on and voting while a vote is open', () => {
    expect(memberItems({})).toEqual(['meeting', 'notices', 'ask', 'feedback', 'more']);
    expect(memberItems({ meeting: { id: 1, status: 'in_progress' }, openMotionId: 4 })).toEqual([
      'meeting',
      'checkin',
      'vote',
      'notices',
      'ask',
      'feedback',
      'more',
    ]);
  });
  it("a secretary sees only the actions valid in the meeting's state", () => {
    expect(secretaryItems({})).toEqual([]);
    expect(secretaryItems({ meeting: { id: 1, status: 'scheduled' } })).toEqual(['open-meeting']);
    expect(secretaryItems({ meeting: { id: 1, status: 'in_progress' } })).toEqual([
      'attendance',
      'open-motion',
      'close-meeting',
    ]);
    expect(secretaryItems({ meeting: { id: 1, status: 'in_progress' }, openMotionId: 2 })).toEqual([
      'attendance',
      'show-of-hands',
      'close-motion',
    ]);
  });
  it('a numbered menu is short: the state\'s actions first, "Xem thêm" last, the rest behind it', () => {
    const states: MeetingState[] = [
      {},
      { meeting: { id: 1, status: 'scheduled' } },
      { meeting: { id: 1, status: 'in_progress' } },
      { meeting: { id: 1, status: 'in_progress' }, openMotionId: 2 },
    ];
    for (const state of states) {
      for (const isSecretary of [false, true]) {
        const buttons = menuItems(state, { isSecretary }).shown;
        const { shown, rest } = menuItems(state, { isSecretary, numbered: true });
        expect(shown.length).toBeLessThanOrEqual(NUMBERED_MENU_MAX);
        expect(shown.at(-1)).toBe('more');
        // Nothing is lost: the numbers and "Xem thêm" together hold every button.
        expect([...shown, ...rest].sort()).toEqual([...buttons].sort());
        // What the state allows now comes first.
        const now = isSecretary ? secretaryItems(state) : [];
        expect(shown.slice(0, now.length)).toEqual(now);
      }
    }
    expect(
      menuItems({ meeting: { id: 1, status: 'in_progress' }, openMotionId: 2 }, { isSecretary: true, numbered: true }),
    ).toEqual({
      shown: ['attendance', 'show-of-hands', 'close-motion', 'checkin', 'vote', 'more'],
      rest: ['meeting', 'notices', 'ask', 'feedback'],
    });
  });
  it('reply-keyboard labels and typed labels name menu items; questions do not', () => {
    expect(menuItemForText('💬 Hỏi Trợ lý ảo')).toBe('ask');
    expect(menuItemForText('hoi tro ly ao')).toBe('ask');
    expect(menuItemForText('⬇️ Ẩn menu')).toBe('hide-keyboard');
    expect(menuItemForText('Hỏi trợ lý ảo về đảng phí')).toBeUndefined();
  });
  it('every Telegram command in the "/" menus is a command of the core', () => {
    const names = new Set(COMMANDS.map((c) => c.name));
    for (const c of [...PRIVATE_COMMANDS, ...GROUP_COMMANDS]) expect(names.has(c.command), c.command).toBe(true);
  });
});
