/**
 * How sure the assistant is that the best passages answer the question, from 0 to 1: the
 * share of the question's content words (and of its two-syllable words) found in one of the
 * top passages, times the share of its content syllables the loaded documents use at all.
 * Below the threshold the assistant says the loaded documents do not answer, instead of
 * guessing.
 *
 * Typed with diacritics, a word must match with its diacritics: "quỹ" is not "quy" (quy
 * định), "phụ cấp" not "phù"; accent folding is for questions typed without them.
 *
 * The threshold (KB_ABSTAIN_THRESHOLD) is chosen by 5-fold cross-validation on our held-out
 * question sets and their derived variants — never on the development set — as the one that
 * declines the most unanswerable questions while declining at most 5 % of answerable ones;
 * `npm run eval:retrieval` prints the choice, its spread across folds and the development
 * set's figures with 95 % intervals (docs/benchmarks.md).
 */
import { foldVietnamese } from '../api/text/fold.ts';
import { foldedSyllables, STOPWORDS, syllables } from './text.ts';
import { inOfficialWords } from './thesaurus.ts';

export const DEFAULT_ABSTAIN_THRESHOLD = Number(process.env.KB_ABSTAIN_THRESHOLD ?? 0.376);

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
    const exact = new Set(syllables(p));
    const pairs = new Set(words.slice(1).map((t, i) => `${words[i]} ${t}`));
    const has = (t: string) => vocab.has(t) && (!typed.has(t) || typed.get(t)!.some((w) => exact.has(w)));
    const termCov = terms.length ? terms.filter(has).length / terms.length : 0;
    const pairCov = bigrams.length ? bigrams.filter((b) => pairs.has(b)).length / bigrams.length : termCov;
    best = Math.max(best, 0.5 * termCov + 0.5 * pairCov);
  }
  return best * known;
}
