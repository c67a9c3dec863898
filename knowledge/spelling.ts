/**
 * Typing mistakes ("chínhh", "gồmm", "khoqg", "vi phm") turn a question's words into words the
 * store has never seen: neither search arm finds them, and answer coverage counts them as
 * missing, so a question with a slip of the finger is declined.
 *
 * A word is corrected only when it cannot be a Vietnamese syllable at all (vietnamese-syllable.ts:
 * "chyen", "khing", "đưic", "phm") and the store has never seen it. A real word the documents
 * happen not to contain ("xăng", "hộ chiếu", "căn cước") is never "corrected" into one they do:
 * that would make a question the documents do not answer look answered. Measured: letting
 * context pairs vouch for a correction of possible syllables too ("đảng voên" → "đảng viên")
 * rescued more slipped questions, but also turned "mấy" into "mặt" ("có mấy mức" → "có mặt")
 * and "căn cước" into "căn được".
 *
 * The word is replaced by a word one edit away — a letter deleted, inserted, changed, or two
 * neighbours swapped (Damerau–Levenshtein distance 1) — that the store or the function words
 * know, chosen as a noisy-channel corrector chooses (Kernighan, Church & Gale 1990): first by
 * context (the candidate makes a word pair the documents contain with the word before or after
 * it: "vi phm" → "vi phạm", not the more frequent "phí"), then by how likely the slip is on a
 * keyboard (a letter struck twice or with its neighbour, a neighbouring key, a dropped letter,
 * two letters swapped: "việx" → "việc", not "viên"), then by how often the documents use it.
 */
import type { Sql } from '../api/db/connect.ts';
import { foldVietnamese } from '../api/text/fold.ts';
import { STOPWORDS } from './text.ts';
import { canBeSyllable } from './vietnamese-syllable.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const MIN_LENGTH = 3;
/**
 * The longest Vietnamese syllable has seven letters ("nghiêng"); a slip adds one. Longer words,
 * and slips past the first few, are left as typed: a word's candidates grow with its length
 * (55 per letter), and a question is up to 1 000 characters of anyone's typing.
 */
const MAX_LENGTH = 12;
const MAX_SLIPS = 6;

/**
 * The keys around each key of a QWERTY keyboard (the one Vietnamese is typed on, with Telex or
 * VNI): rows are staggered by a quarter and a half key, and a neighbour is at most one key away.
 */
const NEAR_KEYS: Map<string, Set<string>> = (() => {
  const keys = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'].flatMap((row, y) =>
    [...row].map((key, i) => ({ key, y, x: i + [0, 0.25, 0.75][y] })),
  );
  return new Map(
    keys.map((k) => [
      k.key,
      new Set(keys.filter((o) => o !== k && Math.abs(o.y - k.y) <= 1 && Math.abs(o.x - k.x) <= 1).map((o) => o.key)),
    ]),
  );
})();

/** The question with unknown words corrected against the store's vocabulary. */
export async function correctSpelling(sql: Sql, question: string): Promise<string> {
  const tokens = (question.match(/[\p{L}\p{N}]+/gu) ?? []).map((text) => ({
    text,
    word: foldVietnamese(text),
  }));
  const suspects = [
    ...new Set(
      tokens
        .map((t) => t.word)
        .filter((w) => w.length >= MIN_LENGTH && w.length <= MAX_LENGTH && /^[a-z]+$/.test(w) && !STOPWORDS.has(w)),
    ),
  ];
  if (!suspects.length) return question;
  const known = new Set(
    (await sql.query<{ term: string }>(`select term from kb_term_df where term = any($1::text[])`, [suspects])).map(
      (r) => r.term,
    ),
  );
  // A real word the documents do not use is left as typed: only what cannot be Vietnamese is a slip.
  const slips = new Set(
    suspects.filter((w) => !known.has(w) && !canBeSyllable(tokens.find((t) => t.word === w)!.text)).slice(0, MAX_SLIPS),
  );
  if (!slips.size) return question;

  // Every candidate of every slip, and the pairs it would make with its neighbours.
  const candidates = new Map([...slips].map((w) => [w, oneEditAway(w)]));
  const lookups = new Set<string>();
  tokens.forEach((t, i) => {
    for (const c of candidates.get(t.word) ?? []) {
      lookups.add(c);
      if (tokens[i - 1]) lookups.add(`${tokens[i - 1].word} ${c}`);
      if (tokens[i + 1]) lookups.add(`${c} ${tokens[i + 1].word}`);
    }
  });
  const rows = await sql.query<{ term: string; df: number }>(
    `select term, df from kb_term_df where term = any($1::text[])`,
    [[...lookups]],
  );
  const df = new Map(rows.map((r) => [r.term, Number(r.df)]));
  const dfOf = (term: string) => df.get(term) ?? 0;

  const fix = new Map<string, string>();
  tokens.forEach((t, i) => {
    if (!slips.has(t.word) || fix.has(t.word)) return;
    const [before, after] = [tokens[i - 1]?.word, tokens[i + 1]?.word];
    const scored = candidates
      .get(t.word)!
      .filter((c) => df.has(c) || STOPWORDS.has(c))
      .map((c) => ({
        c,
        context: (before ? dfOf(`${before} ${c}`) : 0) + (after ? dfOf(`${c} ${after}`) : 0),
        likely: isLikelySlip(t.word, c),
        df: dfOf(c),
      }))
      .sort(
        (a, b) =>
          Number(b.context > 0) - Number(a.context > 0) ||
          Number(b.likely) - Number(a.likely) ||
          b.context - a.context ||
          b.df - a.df ||
          a.c.localeCompare(b.c),
      );
    if (scored.length) fix.set(t.word, scored[0].c);
  });
  if (!fix.size) return question;
  return question.replace(/[\p{L}\p{N}]+/gu, (w) => fix.get(foldVietnamese(w)) ?? w);
}

/** Every string one deletion, insertion, substitution or adjacent swap away from a word. */
export function oneEditAway(word: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const [head, tail] = [word.slice(0, i), word.slice(i)];
    if (tail) out.add(head + tail.slice(1));
    if (tail.length > 1) out.add(head + tail[1] + tail[0] + tail.slice(2));
    for (const c of LETTERS) {
      out.add(head + c + tail);
      if (tail) out.add(head + c + tail.slice(1));
    }
  }
  out.delete(word);
  return [...out];
}

const near = (a: string | undefined, b: string) => a === b || (a !== undefined && NEAR_KEYS.get(a)?.has(b) === true);

/**
 * Whether `typed` is a likely slip for `meant` (one edit apart): a dropped letter, two
 * neighbours swapped, a neighbouring key hit instead, or a letter struck twice or with its
 * neighbouring key. A far key instead of the right one, or a stray letter, is unlikely.
 */
export function isLikelySlip(typed: string, meant: string): boolean {
  let i = 0;
  while (i < typed.length && typed[i] === meant[i]) i++;
  if (typed.length + 1 === meant.length) return true;
  if (typed.length === meant.length + 1) return near(typed[i - 1], typed[i]) || near(typed[i + 1], typed[i]);
  if (typed[i + 1] === meant[i] && typed[i] === meant[i + 1]) return true;
  return near(meant[i], typed[i]);
}
