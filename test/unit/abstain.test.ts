/**
 * The abstention model's parts: the features read the question's rare words against the
 * store and the passages found; the fit separates what it is shown and keeps wrong declines
 * within the bound it is given.
 */
import { describe, expect, it } from 'vitest';
import { answerability, FEATURE_NAMES, measureFeatures, type Vocabulary } from '../../knowledge/abstain.ts';
import { lexicalTerms } from '../../knowledge/text.ts';
import { chooseThreshold, crossValidate, type Example, fitLogistic } from '../../bench/fit-abstain.ts';
import { offTopicQuestions } from '../../bench/off-topic-questions.ts';
import { bestExcerpt } from '../../knowledge/quote.ts';

const PASSAGES = [
  'Quy định mẫu về đảng phí › Điều 1. Đảng viên hưởng lương đóng đảng phí bằng 1% tiền lương tháng.',
  'Quy định mẫu về đảng phí › Điều 3. Đảng viên thuộc hộ nghèo được miễn đóng đảng phí.',
  'Hướng dẫn sinh hoạt chi bộ › Điều 1. Chi bộ sinh hoạt thường kỳ mỗi tháng một lần.',
];
/** The store's vocabulary: document frequencies over the passages, as kb_term_df holds them. */
const VOCAB: Vocabulary = (() => {
  const df = new Map<string, number>();
  for (const p of PASSAGES) for (const t of lexicalTerms(p).keys()) df.set(t, (df.get(t) ?? 0) + 1);
  return { df, total: PASSAGES.length };
})();
const hits = (...i: number[]) => i.map((n, rank) => ({ text: PASSAGES[n], score: 0.04 - rank * 0.01 }));

describe('abstention features', () => {
  it('a question in the passage’s words is covered; one whose rare words the store never saw is not', () => {
    // "%" reads as "phần trăm", in the store and in the question.
    const on = measureFeatures('dang vien huong luong dong dang phi bao nhieu phan tram', hits(0, 1), VOCAB);
    expect(on.known).toBe(1);
    expect(on.knownPairs).toBe(1);
    expect(on.rareCoverage).toBeGreaterThan(0.9);
    // Same frame, party words included, but the subject is nowhere in the store.
    const off = measureFeatures('Đảng viên có được nuôi chim cảnh không?', hits(0, 1), VOCAB);
    expect(off.known).toBeLessThan(0.6);
    expect(off.knownPairs).toBeLessThan(0.5);
    expect(off.rareCoverage).toBeLessThan(0.4);
  });

  it('a word typed with diacritics must match with them; without them, folding matches', () => {
    // "quỹ" folds to "quy", but is not "quy" (quy định).
    const typed = measureFeatures('Quỹ đảng phí', hits(0), VOCAB);
    const folded = measureFeatures('quy dang phi', hits(0), VOCAB);
    expect(folded.rareCoverage).toBeGreaterThan(typed.rareCoverage);
  });

  it('the best fused score is read as a share of the most a hit can score, and its lead over the second', () => {
    const f = measureFeatures(
      'đảng phí',
      [
        { text: PASSAGES[0], score: 0.02 },
        { text: PASSAGES[1], score: 0.015 },
      ],
      VOCAB,
      {
        lexicalWeight: 1,
        rrfK: 60,
      },
    );
    expect(f.top).toBeCloseTo(0.02 / (2 / 61), 6);
    expect(f.gap).toBeCloseTo(0.25, 6);
  });
});

describe('fitting the model', () => {
  // Answerable questions cover their passage; unanswerable ones do not (with some overlap).
  const examples: Example[] = Array.from({ length: 80 }, (_, i) => {
    const answerable = i % 4 !== 0;
    const x = answerable ? 0.55 + (i % 9) / 20 : 0.05 + (i % 11) / 20;
    return {
      group: `q${i}`,
      answerable,
      features: { coverage: x, known: 1, knownPairs: x, rareCoverage: x, top: 0.5, gap: 0.1 },
    };
  });

  it('learns that covered questions are answerable, and declines at most the share of answerable ones it is allowed', () => {
    const m = fitLogistic(examples, ['rareCoverage', 'knownPairs'], 'unit test');
    expect(m.weights.every((w) => w > 0)).toBe(true);
    const declined = (e: Example) => answerability(e.features, m) < m.threshold;
    const answerable = examples.filter((e) => e.answerable);
    expect(answerable.filter(declined).length / answerable.length).toBeLessThanOrEqual(0.05);
    expect(examples.filter((e) => !e.answerable && declined(e)).length).toBeGreaterThan(10);
    // A stricter bound declines no more answerable questions.
    const strict = chooseThreshold(examples, m, 0);
    expect(answerable.filter((e) => answerability(e.features, m) < strict)).toEqual([]);
  });

  it('cross-validation decides each question with a model that never saw it', () => {
    const cv = crossValidate(examples, FEATURE_NAMES, 5);
    expect(cv.thresholds).toHaveLength(5);
    const x = (e: Example) => e.features.rareCoverage;
    // Clear cases are decided the same by every fold's model; the overlap is where they differ.
    expect(examples.filter((e, i) => e.answerable && x(e) >= 0.75 && cv.declined[i])).toEqual([]);
    expect(examples.filter((e, i) => !e.answerable && x(e) <= 0.2 && !cv.declined[i])).toEqual([]);
    expect(cv.declined.filter((d, i) => d && examples[i].answerable).length).toBeLessThanOrEqual(6);
  });
});

describe('synthetic off-topic questions', () => {
  it('are the same for the same seed, unanswerable, half of them in a party frame, a third without diacritics', () => {
    const qs = offTopicQuestions(60);
    expect(offTopicQuestions(60)).toEqual(qs);
    expect(new Set(qs.map((q) => q.question)).size).toBe(60);
    expect(qs.every((q) => q.relevant.length === 0)).toBe(true);
    expect(qs.filter((q) => q.kind === 'synthetic-near-domain')).toHaveLength(30);
    const ascii = qs.filter((q) => /^[\x20-\x7e]+$/.test(q.question)).length;
    expect(ascii).toBeGreaterThan(10);
    expect(ascii).toBeLessThan(35);
  });
});

describe('the part of an article that is quoted', () => {
  const article = [
    'Điều 3. Mức đóng của đảng viên hưu trí và học sinh, sinh viên',
    '1. Đảng viên hưởng lương hưu đóng đảng phí bằng 0,5% lương hưu hằng tháng.',
    '2. Đảng viên là học sinh, sinh viên đóng 5.000 đồng mỗi tháng.',
  ].join('\n');
  it('is the khoản with the question’s rare words, when the store says which words are rare', () => {
    const question = 'Sinh viên đóng đảng phí bao nhiêu?';
    // Each khoản shares as many of the question's words: alone, the parts cannot tell.
    expect(bestExcerpt(article, question).clause).toBeNull();
    // In a store where "đảng phí" is everywhere and "sinh viên" rare, the second khoản answers.
    const idf: Record<string, number> = { 'dang phi': 0.2, phi: 0.2, dong: 0.3, vien: 0.1, sinh: 2, 'sinh vien': 2.5 };
    const excerpt = bestExcerpt(article, question, (t) => idf[t] ?? 1);
    expect(excerpt.clause).toBe(2);
    expect(excerpt.text).toBe(
      'Điều 3. Mức đóng của đảng viên hưu trí và học sinh, sinh viên\n2. Đảng viên là học sinh, sinh viên đóng 5.000 đồng mỗi tháng.',
    );
  });
});
