/**
 * How well the best passages cover the question: the share of the question's content
 * terms (and of its two-syllable words) found in one of the top passages. Below the
 * threshold the assistant says the loaded documents do not answer, instead of guessing.
 * The threshold is a setting (KB_ABSTAIN_THRESHOLD), calibrated on our own question set
 * (test/data/knowledge/qa-own.jsonl, 68 questions; `npm run eval:retrieval` prints the
 * table), not on the evaluation set: 0.47 declined the most unanswerable questions (13 of 15)
 * while declining fewer than one answerable question in ten (5 of 53). It was kept when the
 * thesaurus came, which brought the wrong declines on that set to 0.
 */
import { foldedSyllables, STOPWORDS } from './text.ts';
import { inOfficialWords } from './thesaurus.ts';

export const DEFAULT_ABSTAIN_THRESHOLD = Number(process.env.KB_ABSTAIN_THRESHOLD ?? 0.47);

export function coverage(question: string, passages: string[], terms: string[]): number {
  const q = foldedSyllables(inOfficialWords(question));
  const bigrams = q
    .slice(1)
    .map((t, i) => [q[i], t])
    .filter(([a, b]) => !STOPWORDS.has(a) && !STOPWORDS.has(b))
    .map(([a, b]) => `${a} ${b}`);
  let best = 0;
  for (const p of passages.slice(0, 3)) {
    const words = foldedSyllables(inOfficialWords(p));
    const vocab = new Set(words);
    const pairs = new Set(words.slice(1).map((t, i) => `${words[i]} ${t}`));
    const termCov = terms.length ? terms.filter((t) => vocab.has(t)).length / terms.length : 0;
    const pairCov = bigrams.length ? bigrams.filter((b) => pairs.has(b)).length / bigrams.length : termCov;
    best = Math.max(best, 0.5 * termCov + 0.5 * pairCov);
  }
  return best;
}
