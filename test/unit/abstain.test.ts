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
import { asksQuantity, statesQuantity } from '../../knowledge/answer-type.ts';

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

describe('the expected answer type: quantities', () => {
  it('a question asks for a quantity: "bao nhiêu", "mấy", "bao lâu", "tối thiểu", "tối đa", diacritics or not', () => {
    for (const q of [
      'Bầu bí thư chi bộ cần bao nhiêu ứng cử viên?',
      'bau bi thu chi bo can bao nhieu ung cu vien',
      'Nhiệm kỳ đại hội chi bộ là mấy năm?',
      'sinh hoat chuyen de may thang mot lan',
      'Thời gian dự bị là bao lâu?',
      'thoi gian du bi bao lau',
      'Buổi sinh hoạt tối thiểu kéo dài mấy giờ?',
      'Thời hạn tối đa để khiếu nại?',
      'thoi han khieu nai toi da la',
    ])
      expect(asksQuantity(q), q).toBe(true);
  });

  it('a question asks for none when the words only look alike: "máy", "may", "tôi đã", "báo"', () => {
    for (const q of [
      'Thủ tục kết nạp đảng viên như thế nào?',
      'Đảng viên có được sửa máy giặt không?',
      'nganh may mac co duoc vao dang khong',
      'toi da dong dang phi thang nay chua',
      'Ai báo cáo lâu nhất?',
    ])
      expect(asksQuantity(q), q).toBe(false);
  });

  it('a passage states one by a number bound to a unit, a percentage, a fraction or a half', () => {
    for (const p of [
      'Đảng viên không đóng đảng phí 3 tháng trong năm thì bị xóa tên.',
      'Đảng viên không đóng đảng phí ba tháng trong năm thì bị xóa tên.',
      'Thời gian dự bị là mười hai tháng.',
      'Đảng viên hưu trí đóng 0,5% lương hưu.',
      'Được ít nhất hai phần ba số đảng viên chính thức tán thành.',
      'Phải được trên 2/3 số đảng viên chính thức tán thành.',
      'Quá nửa số đảng viên chính thức có mặt.',
      'Buổi sinh hoạt kéo dài ít nhất 90 phút.',
      'Chi bộ đánh giá theo một trong bốn mức: tốt, khá, trung bình, kém.',
      'Chi bộ sinh hoạt thường kỳ mỗi tháng một lần.',
      'Người vào Đảng phải từ đủ 18 tuổi trở lên.',
      'Phải có 2 đảng viên chính thức giới thiệu.',
    ])
      expect(statesQuantity(p), p).toBe(true);
  });

  it('numbering, references, dates and document numbers are not quantities', () => {
    for (const p of [
      'Quyền của đảng viên › Điều 2\n1. Được thông tin và thảo luận.\n2. Ứng cử, đề cử và bầu cử cơ quan lãnh đạo.',
      'a) Khiển trách;\nb) cảnh cáo.',
      'Theo khoản 2 Điều 5 Chương II của Quy định số 24-QĐ/TW.',
      'Quy định có hiệu lực từ ngày 15 tháng 3 năm 2026.',
      'Lễ trao thẻ vào ngày thành lập Đảng (3/2) và Quốc khánh (2/9).',
      'Hằng năm đảng viên tự kiểm điểm.',
      'Khi một đảng viên chuyển đi, một người trong chi ủy nhận hồ sơ.',
    ])
      expect(statesQuantity(p), p).toBe(false);
  });

  it('typed coverage: a quantity question counts only the passages that state a quantity', () => {
    const passages = [{ text: 'Quyền › Điều 2\n2. Ứng cử, đề cử và bầu cử cơ quan lãnh đạo các cấp.', score: 0.03 }];
    const vocab: Vocabulary = {
      df: new Map([
        ['ung', 1],
        ['cu', 1],
        ['bau', 1],
      ]),
      total: 5,
    };
    const asked = measureFeatures('Bầu cử cần bao nhiêu ứng cử viên?', passages, vocab);
    expect(asked.rareCoverage).toBeGreaterThan(0.5);
    expect(asked.typedCoverage).toBe(0);
    const who = measureFeatures('Ai được ứng cử, bầu cử?', passages, vocab);
    expect(who.typedCoverage).toBe(who.rareCoverage);
    const fee = measureFeatures('dang vien huong luong dong dang phi bao nhieu', hits(0, 1), VOCAB);
    expect(fee.typedCoverage).toBeGreaterThan(0.9);
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
      features: { coverage: x, known: 1, knownPairs: x, rareCoverage: x, typedCoverage: x, top: 0.5, gap: 0.1 },
    };
  });

  const learnsAnswerable =
    'learns that covered questions are answerable, and declines at most the share of answerable ones it is allowed';
  it(learnsAnswerable, () => {
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
      'Điều 3. Mức đóng của đảng viên hưu trí và học sinh, sinh viên\n' +
        '2. Đảng viên là học sinh, sinh viên đóng 5.000 đồng mỗi tháng.',
    );
  });
});
