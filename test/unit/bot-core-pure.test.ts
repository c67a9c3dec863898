import { describe, expect, it } from 'vitest';
import { matchCommand, namesCommandExactly } from '../../bot/core/router.ts';
import { splitText } from '../../bot/core/split-text.ts';
import { renderTelegram } from '../../bot/telegram/render.ts';
import { renderZalo } from '../../bot/zalo/render.ts';
import { codeInText } from '../../bot/core/commands/link.ts';
import type { Command } from '../../bot/core/command.ts';

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
  const reply = {
    text: 'Biểu quyết?',
    choices: [
      { label: 'Tán thành', data: 'bq:1:yes' },
      { label: 'Không', data: 'bq:1:no' },
    ],
  };
  it('Telegram: inline keyboard with callback data', () => {
    const [part] = renderTelegram(reply);
    expect(part.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data)).toEqual(['bq:1:yes', 'bq:1:no']);
  });
  it('Telegram: refuses callback data over 64 bytes', () => {
    expect(() => renderTelegram({ text: 'x', choices: [{ label: 'a', data: 'đ'.repeat(40) }] })).toThrow(/64 bytes/);
  });
  it('Zalo: numbered options', () => {
    expect(renderZalo(reply)[0]).toContain('Trả lời bằng số:\n1. Tán thành\n2. Không');
  });
});
