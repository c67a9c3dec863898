/**
 * Typing mistakes ("chínhh", "gồmm", "khoqg") turn a question's words into words the store has
 * never seen: neither search arm finds them, and answer coverage counts them as missing, so a
 * question with a slip of the finger is declined. A word is corrected only when it cannot be a
 * Vietnamese syllable at all (initial consonant, vowel group, final consonant) and the
 * store has never seen it: it is replaced by the store's most frequent word one edit away — a
 * letter deleted, inserted, changed, or two neighbours swapped (Damerau–Levenshtein distance
 * 1) — when there is one. A real word the documents happen not to contain ("xăng", "hộ
 * chiếu") is never "corrected" into one they do: that would make a question the documents do
 * not answer look answered.
 */
import type { Sql } from '../api/db/connect.ts';
import { foldVietnamese } from '../api/text/fold.ts';
import { STOPWORDS } from './text.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const MIN_LENGTH = 3;
/** The vowel groups of Vietnamese syllables, folded ("ươi" → "uoi", "hưu" → "huu"). */
const VOWELS =
  'ieu|yeu|uoi|uou|uya|uye|uyu|oai|oay|oeo|uay|' +
  'ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ya|ye|a|e|i|o|u|y';
/** A folded Vietnamese syllable: an initial consonant, a vowel group, a final consonant. */
const SYLLABLE = new RegExp(`^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?(${VOWELS})(ch|ng|nh|[cmnpt])?$`);

/** The question with unknown words corrected against the store's vocabulary. */
export async function correctSpelling(sql: Sql, question: string): Promise<string> {
  const words = [...new Set((question.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => foldVietnamese(w)))].filter(
    (w) => w.length >= MIN_LENGTH && /^[a-z]+$/.test(w) && !SYLLABLE.test(w) && !STOPWORDS.has(w),
  );
  if (!words.length) return question;
  const known = new Set(
    (await sql.query<{ term: string }>(`select term from kb_term_df where term = any($1::text[])`, [words])).map(
      (r) => r.term,
    ),
  );
  const unknown = words.filter((w) => !known.has(w));
  if (!unknown.length) return question;
  const edits = new Map(unknown.map((w) => [w, oneEditAway(w)]));
  const rows = await sql.query<{ term: string; df: number }>(
    `select term, df from kb_term_df where term = any($1::text[])`,
    [[...new Set([...edits.values()].flat())]],
  );
  const df = new Map(rows.map((r) => [r.term, Number(r.df)]));
  const fix = new Map<string, string>();
  for (const [word, candidates] of edits) {
    const best = candidates.filter((c) => df.has(c)).sort((a, b) => df.get(b)! - df.get(a)! || a.localeCompare(b))[0];
    if (best) fix.set(word, best);
  }
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
