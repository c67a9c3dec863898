/**
 * Finds the command a member meant. Members type on old phones, without diacritics, with
 * or without the slash, in any case, sometimes with a typo: "/diemdanh", "điểm danh",
 * "Diem Danh" and "diem dah" all reach the same command.
 */
import { foldVietnamese } from '../../api/text/fold.ts';
import type { Command } from './command.ts';

export interface Match {
  command: Command;
  /** The rest of the text after the words that named the command, as typed. */
  args: string;
}

const MAX_NAME_WORDS = 4;

export function matchCommand(text: string, commands: readonly Command[]): Match | undefined {
  const trimmed = text.trim().replace(/^\//, '');
  // Telegram group commands may carry the bot's name: "/diemdanh@so_tay_bot 12".
  const withoutMention = trimmed.replace(/^(\S+?)@\w+/, '$1');
  const words = withoutMention.split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;

  let best: { command: Command; used: number; distance: number } | undefined;
  for (let used = Math.min(MAX_NAME_WORDS, words.length); used >= 1; used--) {
    const typed = squash(words.slice(0, used).join(' '));
    for (const command of commands) {
      for (const name of [command.name, ...command.aliases]) {
        const d = closeness(typed, squash(name));
        if (d === undefined) continue;
        if (!best || d < best.distance || (d === best.distance && used > best.used))
          best = { command, used, distance: d };
      }
    }
    if (best?.distance === 0) break;
  }
  if (!best) return undefined;
  return { command: best.command, args: words.slice(best.used).join(' ') };
}

/** True when the first words of `text` are one of the command's names exactly (no typo). */
export function namesCommandExactly(text: string, command: Command): boolean {
  const words = text.trim().replace(/^\//, '').split(/\s+/).slice(0, MAX_NAME_WORDS);
  const names = new Set([command.name, ...command.aliases].map(squash));
  return words.some((_, i) => names.has(squash(words.slice(0, i + 1).join(' '))));
}

/** Folded, without spaces or punctuation: "Điểm danh!" → "diemdanh". */
const squash = (s: string) => foldVietnamese(s).replace(/[^a-z0-9]/g, '');

/** Edit distance when small enough to be a typo of `name`, else undefined. */
function closeness(typed: string, name: string): number | undefined {
  if (typed === name) return 0;
  const allowed = name.length >= 9 ? 2 : name.length >= 5 ? 1 : 0;
  if (allowed === 0 || Math.abs(typed.length - name.length) > allowed) return undefined;
  const d = damerauLevenshtein(typed, name);
  return d <= allowed ? d : undefined;
}

/** Optimal string alignment distance (adjacent transpositions count as one edit). */
export function damerauLevenshtein(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
