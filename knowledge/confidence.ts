/**
 * Answer coverage, from 0 to 1: the share of the question's content words (and of its
 * two-syllable words) found in one of the top passages, times the share of its content
 * syllables the loaded documents use at all. One of the features the abstention model
 * (abstain.ts) weighs.
 *
 * Typed with diacritics, a word must match with its diacritics: "quỹ" is not "quy" (quy
 * định), "phụ cấp" not "phù"; accent folding is for questions typed without them.
 */
import { foldVietnamese } from '../api/text/fold.ts';
import { foldedSyllables, spelledOut, STOPWORDS, syllables } from './text.ts';
import { inOfficialWords } from './thesaurus.ts';

export function coverage(question: string, passages: string[], terms: string[], known = 1): number {
  const q = foldedSyllables(inOfficialWords(question));
  const bigrams = q
    .slice(1)
    .map((t, i) => [q[i], t])
    .filter(([a, b]) => !STOPWORDS.has(a) && !STOPWORDS.has(b))
    .map(([a, b]) => `${a} ${b}`);
  // The accented forms the asker typed, by folded form.
  const typed = new Map<string, string[]>();
  for (const w of syllables(question)) {
    const f = foldVietnamese(w);
    if (f !== w) typed.set(f, [...(typed.get(f) ?? []), w]);
  }
  let best = 0;
  for (const p of passages.slice(0, 3)) {
    const words = foldedSyllables(inOfficialWords(p));
    const vocab = new Set(words);
    const exact = new Set(syllables(spelledOut(p)));
    const pairs = new Set(words.slice(1).map((t, i) => `${words[i]} ${t}`));
    const has = (t: string) => vocab.has(t) && (!typed.has(t) || typed.get(t)!.some((w) => exact.has(w)));
    const termCov = terms.length ? terms.filter(has).length / terms.length : 0;
    const pairCov = bigrams.length ? bigrams.filter((b) => pairs.has(b)).length / bigrams.length : termCov;
    best = Math.max(best, 0.5 * termCov + 0.5 * pairCov);
  }
  return best * known;
}
