/**
 * Whether the loaded documents answer a question, or the assistant should say they do not.
 *
 * A single score threshold does not transfer: a question about something no document covers
 * ("giá vàng hôm nay", "phụ cấp của bí thư") still has nearest passages, and they can score
 * as well as a real answer's. What tells them apart is the question's own words: a question
 * whose rarest words occur nowhere in the loaded documents, or not in the passages found, is
 * about something else whatever the passages score. So the decision is a small logistic
 * regression over a few features measured per question (each printed by
 * `npm run eval:retrieval -- --explain`):
 *
 *  - `coverage`: the answer coverage of confidence.ts (content words and word pairs of the
 *    question found in one of the best three passages, times `known`);
 *  - `known`: the share of the question's content syllables the store has ever seen;
 *  - `knownPairs`: the same for its content word pairs ("phụ cấp", "qua đời"): folded
 *    syllables are ambiguous ("đời" folds to "doi" as in "đối với"), two-syllable words
 *    much less;
 *  - `rareCoverage`: the question's content syllables and pairs, each weighted by its IDF in
 *    the store (an unseen term weighs most), and the weighted share found in one of the best
 *    three passages — the rare words are the ones that say what the question is about;
 *  - `typedCoverage`: the same, counted only in passages of the answer type the question
 *    expects (answer-type.ts). Words are not answers: "Bầu bí thư chi bộ cần bao nhiêu ứng cử
 *    viên?" finds all its words in the article on the right to stand for election, which
 *    states no number. A "how many" question is covered only by a passage that states a
 *    quantity — the expected-answer-type check of question answering since TREC; for other
 *    questions it equals `rareCoverage`;
 *  - `top` and `gap`: the best fused score (as a share of the most a hit can score) and its
 *    lead over the second.
 *
 * The model (features, weights, standardisation, decision threshold) is data, in
 * abstain-model.json, with where it came from: `npm run eval:retrieval -- --fit` fits it by
 * cross-validation on the development questions, their accent-free variants and generic
 * synthetic off-topic questions (bench/off-topic-questions.ts), and reports it on the
 * held-out sets it never saw, with 95 % Wilson intervals.
 */
import type { Sql } from '../api/db/connect.ts';
import { foldVietnamese } from '../api/text/fold.ts';
import model from './abstain-model.json' with { type: 'json' };
import { asksQuantity, statesQuantity } from './answer-type.ts';
import { coverage } from './confidence.ts';
import { COMMON_SHARE, DEFAULT_PARAMS, documentFrequencies, MIN_COMMON, type RankingParams } from './retrieve.ts';
import { foldedSyllables, queryTerms, spelledOut, STOPWORDS, syllables } from './text.ts';
import { inOfficialWords } from './thesaurus.ts';

export interface AbstainFeatures {
  coverage: number;
  known: number;
  knownPairs: number;
  rareCoverage: number;
  typedCoverage: number;
  top: number;
  gap: number;
}

export type FeatureName = keyof AbstainFeatures;
export const FEATURE_NAMES: FeatureName[] = [
  'coverage',
  'known',
  'knownPairs',
  'rareCoverage',
  'typedCoverage',
  'top',
  'gap',
];

/** A logistic regression on standardised features: p(answerable) = σ(bias + Σ wᵢ (xᵢ − meanᵢ) / sdᵢ). */
export interface AbstainModel {
  /** How and on what it was fitted, and its cross-validated figures. */
  source: string;
  features: FeatureName[];
  mean: number[];
  sd: number[];
  weights: number[];
  bias: number;
  /** Decline when p(answerable) is below this. */
  threshold: number;
}

export const ABSTAIN_MODEL: AbstainModel = {
  ...(model as AbstainModel),
  // An operator may move the decision (say, to decline more); the weights stay as fitted.
  threshold: Number(process.env.KB_ABSTAIN_THRESHOLD ?? (model as AbstainModel).threshold),
};

/** The store's document frequency of each term (0: never seen), and its number of chunks. */
export interface Vocabulary {
  df: Map<string, number>;
  total: number;
}

/** The question's content terms and how often the store has seen each. */
export async function vocabularyOf(sql: Sql, question: string): Promise<Vocabulary> {
  const terms = queryTerms(subjectOf(question));
  if (!terms.length) return { df: new Map(), total: 0 };
  const { rows, total } = await documentFrequencies(sql, terms);
  return { df: new Map(rows.map((r) => [r.term, Number(r.df)])), total };
}

const idfOf = (df: number, total: number) => Math.log(1 + (total - df + 0.5) / (df + 0.5));

/**
 * How a question is asked, not what about (folded): interrogatives and framing phrases —
 * "như thế nào", "ra sao", "xử lý thế nào", "bao lâu", "ở đâu", "hiện nay", "mấy", "gồm",
 * "muốn", and which version is meant ("quy định cũ", "trước đây", "hiện hành") — beyond the
 * function words retrieval drops. Documents rarely use them, so counting
 * them would make every question look a little unknown. They are cut out of the question
 * (and word pairs do not bridge the cut) before its terms are weighed.
 */
const QUESTION_FRAMES = [
  'nhu the nao',
  'lam the nao',
  'the nao',
  'ra sao',
  'lam sao',
  'lam gi',
  'xu ly',
  'bao lau',
  'bao gio',
  'khi nao',
  'o dau',
  'la gi',
  'kieu gi',
  'hien nay',
  'hien tai',
  'bay gio',
  'cho biet',
  'xin hoi',
  'may',
  'gom',
  'muon',
  'roi',
  'chua',
  // Which version is asked about (answer.ts answers from the superseded text), not what about.
  'theo quy dinh cu',
  'quy dinh cu',
  'van ban cu',
  'ban cu',
  'truoc day',
  'bi thay the',
  'da thay the',
  'het hieu luc',
  'hien hanh',
];
const FRAME_RE = new RegExp(`(^|[^a-z0-9])(${QUESTION_FRAMES.join('|').replace(/ /g, '\\s+')})(?=$|[^a-z0-9])`, 'g');
/** The question's folded text in the documents' wording, its framing phrases cut out. */
export const subjectOf = (question: string) => inOfficialWords(question).replace(FRAME_RE, '$1 , ');
const isContentWord = (w: string) => !STOPWORDS.has(w);

/** The question's content terms (folded syllables and pairs, in the documents' wording), its framing cut out. */
export const subjectTermsOf = (question: string): string[] => queryTerms(subjectOf(question));
const isPairOfContentWords = (t: string) => {
  const parts = t.split(' ');
  return parts.length === 2 && isContentWord(parts[0]) && isContentWord(parts[1]);
};

/**
 * The features of one question against the passages retrieval ranked first (best first, with
 * their fused scores). Pure: the store's part comes in `vocab`.
 */
export function measureFeatures(
  question: string,
  hits: { text: string; score: number }[],
  vocab: Vocabulary,
  params: Partial<RankingParams> = {},
): AbstainFeatures {
  const terms = queryTerms(subjectOf(question));
  const dfOf = (t: string) => vocab.df.get(t) ?? 0;
  const singles = terms.filter((t) => !t.includes(' ') && isContentWord(t));
  // A pair with a syllable the store never saw says nothing the syllable does not: only pairs
  // of known syllables count ("phụ cấp": both known, never together), so one unknown word is
  // not counted three times (itself and the pairs on either side).
  const pairs = terms.filter((t) => isPairOfContentWords(t) && t.split(' ').every((w) => dfOf(w) > 0));
  const share = (xs: string[]) => xs.filter((t) => dfOf(t) > 0).length / xs.length;
  const known = singles.length ? share(singles) : 0;
  const knownPairs = pairs.length ? share(pairs) : known;
  // Coverage reads the rare syllables (as the candidate query does), or when all are common the two rarest.
  const common = Math.max(MIN_COMMON, vocab.total * COMMON_SHARE);
  const rare = singles.filter((t) => dfOf(t) <= common);
  const coverTerms = rare.length ? rare : [...singles].sort((a, b) => dfOf(a) - dfOf(b)).slice(0, 2);
  const passages = hits.slice(0, 3).map((h) => h.text);

  const shares = rareShares(question, passages, { singles, pairs, dfOf, total: vocab.total });
  const rareCoverage = Math.max(0, ...shares);
  // A "how many" question is answered only by a passage that states a quantity.
  const typedCoverage = asksQuantity(question)
    ? Math.max(0, ...shares.filter((_, i) => statesQuantity(passages[i])))
    : rareCoverage;

  const p = { ...DEFAULT_PARAMS, ...params };
  const most = (1 + p.lexicalWeight) / (p.rrfK + 1);
  const [first, second] = hits;
  return {
    coverage: coverage(question, passages, coverTerms, known),
    known,
    knownPairs,
    rareCoverage,
    typedCoverage,
    top: first ? Math.min(1, first.score / most) : 0,
    gap: first && first.score > 0 ? (first.score - (second?.score ?? 0)) / first.score : 0,
  };
}

/**
 * For each passage, the IDF-weighted share of the question's content terms (syllables and
 * pairs of known syllables) found in it. Typed with diacritics, a word must match with them
 * ("quỹ" is not "quy").
 */
function rareShares(
  question: string,
  passages: string[],
  terms: { singles: string[]; pairs: string[]; dfOf: (t: string) => number; total: number },
): number[] {
  const typed = new Map<string, string[]>();
  for (const w of syllables(question)) {
    const f = foldVietnamese(w);
    if (f !== w) typed.set(f, [...(typed.get(f) ?? []), w]);
  }
  const weighted = [...terms.singles, ...terms.pairs].map((t) => [t, idfOf(terms.dfOf(t), terms.total)] as const);
  const mass = weighted.reduce((s, [, w]) => s + w, 0);
  return passages.map((p) => {
    const words = foldedSyllables(inOfficialWords(p));
    const vocabulary = new Set(words);
    const exact = new Set(syllables(spelledOut(p)));
    const pairSet = new Set(words.slice(1).map((t, i) => `${words[i]} ${t}`));
    const has = (t: string) =>
      t.includes(' ')
        ? pairSet.has(t)
        : vocabulary.has(t) && (!typed.has(t) || typed.get(t)!.some((w) => exact.has(w)));
    const found = weighted.reduce((s, [t, w]) => s + (has(t) ? w : 0), 0);
    return mass ? found / mass : 0;
  });
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** p(answerable) under the model. */
export function answerability(f: AbstainFeatures, m: AbstainModel = ABSTAIN_MODEL): number {
  return sigmoid(m.features.reduce((z, name, i) => z + (m.weights[i] * (f[name] - m.mean[i])) / m.sd[i], m.bias));
}

export interface AbstainDecision {
  abstain: boolean;
  /** p(answerable), 0–1: stored with the question for editors' review. */
  confidence: number;
  features: AbstainFeatures;
  /** The store's IDF of each of the question's content terms (1 for a term it did not look up). */
  weightOf: (term: string) => number;
}

/** Measures a question against its best passages and decides: answer, or say the documents do not. */
export async function decideAbstention(
  sql: Sql,
  question: string,
  hits: { text: string; score: number }[],
  options: { model?: AbstainModel; params?: Partial<RankingParams> } = {},
): Promise<AbstainDecision> {
  const m = options.model ?? ABSTAIN_MODEL;
  const vocab = await vocabularyOf(sql, question);
  const features = measureFeatures(question, hits, vocab, options.params);
  const confidence = hits.length ? answerability(features, m) : 0;
  const weightOf = (t: string) => {
    const df = vocab.df.get(t);
    return df === undefined ? 1 : idfOf(df, vocab.total);
  };
  return { abstain: !hits.length || confidence < m.threshold, confidence, features, weightOf };
}
