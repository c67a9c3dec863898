/**
 * The expected answer type of a question (as in question answering since TREC: a "how many"
 * question is answered by a number), for the one type that is cheap to tell and that word
 * coverage misses: quantities. "Bầu bí thư chi bộ cần bao nhiêu ứng cử viên?" has all its
 * words in an article that lists the right to stand for election, and no number in it: the
 * words are covered, the answer is not there.
 *
 * - `asksQuantity`: the question asks how many, how much, how long, the least or the most
 *   ("bao nhiêu", "mấy", "bao lâu", "tối thiểu", "tối đa"), typed with or without diacritics.
 *   A word typed with diacritics must be the word ("máy" is not "mấy"); typed without, the
 *   ambiguous ones count only where the other reading cannot stand: "may" before a unit ("may
 *   thang"), "toi da" at the end or before "la"/"bao" (not "tôi đã đóng").
 * - `statesQuantity`: the passage states a quantity — a number, in digits or words, bound to
 *   a unit or counter ("3 tháng", "mười hai tháng", "bốn mức", "một lần", "90 phút", "18
 *   tuổi"), a percentage ("0,5%"), a fraction ("2/3", "hai phần ba") or a half ("quá nửa").
 *   Numbers that only point somewhere are not quantities: enumeration at a line's start ("2.",
 *   "a)"), references ("Điều 5", "khoản 2", "Chương II", "số 12"), dates ("ngày 3 tháng 2 năm
 *   2026", "(19/5)") and document numbers ("24-QĐ/TW"). Passages are read with their
 *   diacritics: folded, the number words are ordinary words ("ba", "nam", "sau", "bay").
 */
import { foldVietnamese } from '../api/text/fold.ts';
import { syllables } from './text.ts';

/** Units and counters a number is bound to in the documents' kind of text. */
const UNITS = [
  'giây',
  'phút',
  'giờ',
  'ngày',
  'tuần',
  'tháng',
  'quý',
  'năm',
  'tuổi',
  'lần',
  'đồng',
  'phiếu',
  'mức',
  'loại',
  'bước',
  'buổi',
  'kỳ',
  'nhiệm kỳ',
  'hình thức',
  'phần trăm',
  'trăm',
  'nghìn',
  'ngàn',
  'triệu',
  'tỷ',
];
/**
 * Counters of people: "một người", "một đảng viên" is as often "a person" as "one", so these
 * count only after another number ("2 đảng viên", "ba người").
 */
const PERSONS = ['người', 'đảng viên', 'thành viên', 'ủy viên', 'đại biểu'];
/** Vietnamese number words (with diacritics). */
const NUMBER_WORDS = [
  'một',
  'hai',
  'ba',
  'bốn',
  'tư',
  'năm',
  'lăm',
  'sáu',
  'bảy',
  'tám',
  'chín',
  'mười',
  'mươi',
  'mốt',
  'trăm',
  'nghìn',
  'ngàn',
];

const alt = (xs: string[]) => xs.map((x) => x.replace(/ /g, '\\s+')).join('|');
// Word edges for Vietnamese letters (\b is ASCII-only).
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
const NUM = '\\d+(?:[.,]\\d+)*';
// "năm" after "hằng", "mỗi", "cuối"… is the year, not five.
const NUMBER_WORD = NUMBER_WORDS.map((w) =>
  w === 'năm' ? '(?<!(?:hằng|mỗi|cuối|đầu|giữa|cả|trong|các|những|nhiều|vài)\\s+)năm' : w,
);
const WORDS = `(?:${NUMBER_WORD.join('|')})(?:\\s+(?:${NUMBER_WORD.join('|')}))*`;
const WORDS_BUT_ONE = `(?:${NUMBER_WORD.slice(1).join('|')})(?:\\s+(?:${NUMBER_WORD.join('|')}))*`;
const QUANTITY = new RegExp(
  [
    `${B}${NUM}\\s*(?:%|phần\\s+trăm${E})`,
    `${B}(?:${NUM}|${WORDS})\\s+(?:${alt(UNITS)})${E}`,
    `${B}(?:${NUM}|${WORDS_BUT_ONE})\\s+(?:${alt(PERSONS)})${E}`,
    `${B}${WORDS}\\s+phần\\s+${WORDS}${E}`,
    `${B}nửa${E}`,
  ].join('|'),
  'u',
);
const FRACTION = new RegExp(`${B}(\\d+)\\s*/\\s*(\\d+)${E}`, 'gu');

/** What a number can point at rather than count, before it: "Điều 5", "khoản 2", "năm 2026", "số 12". */
const REFERENCE = new RegExp(
  `${B}(?:điều|khoản|điểm|chương|mục|phần|tiết|số|ngày|tháng|năm|lần thứ|thứ)\\s+(?:\\d+|[ivxlc]+)(?:[./-]\\d+)*${E}`,
  'gu',
);
/** Dates written with slashes ("19/5", "3/2/2026") in parentheses or with a year, and document numbers ("24-qđ/tw"). */
const DATES_AND_CODES = new RegExp(
  [
    '\\(\\s*\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?\\s*\\)',
    `${B}\\d{1,2}/\\d{1,2}/\\d{2,4}${E}`,
    `${B}\\d+[-/][\\p{L}][\\p{L}\\p{N}/-]*`,
  ].join('|'),
  'gu',
);
/** Enumeration at a line's start: "1.", "2)", "a)". */
const ENUMERATION = /^\s*(?:\d+|[a-zđ])[.)]\s/gmu;

/** Whether a passage states a quantity (see the module's comment); pointers and numbering do not count. */
export function statesQuantity(passage: string): boolean {
  const text = passage
    .normalize('NFC')
    .toLowerCase()
    .replace(ENUMERATION, ' ')
    .replace(DATES_AND_CODES, ' ')
    .replace(REFERENCE, ' ');
  if (QUANTITY.test(text)) return true;
  // A fraction is a proper one ("2/3", "1/2"); "3/2" left over is more likely a date.
  for (const m of text.matchAll(FRACTION)) if (Number(m[1]) > 0 && Number(m[1]) < Number(m[2])) return true;
  return false;
}

/** Counters a folded "may" (mấy) stands before: "may thang", "co may muc". */
const FOLDED_UNITS = new Set([...UNITS, ...PERSONS].map((u) => foldVietnamese(u).split(' ')[0]));

/** Whether the question asks for a quantity: how many, how much, how long, the least or the most. */
export function asksQuantity(question: string): boolean {
  const words = syllables(question);
  const folded = words.map((w) => foldVietnamese(w));
  // A word matches one typed with its diacritics exactly, one typed without by its folded form.
  const is = (i: number, word: string) =>
    i >= 0 && i < words.length && (words[i] === word || (words[i] === folded[i] && folded[i] === foldVietnamese(word)));
  const exact = (i: number, word: string) => words[i] === word;
  for (let i = 0; i < words.length; i++) {
    if (is(i, 'bao') && (is(i + 1, 'nhiêu') || is(i + 1, 'lâu'))) return true;
    if (is(i, 'tối') && is(i + 1, 'thiểu')) return true;
    if (exact(i, 'mấy') || (exact(i, 'may') && FOLDED_UNITS.has(folded[i + 1] ?? ''))) return true;
    if (exact(i, 'tối') && exact(i + 1, 'đa')) return true;
    if (exact(i, 'toi') && exact(i + 1, 'da') && (i + 2 === words.length || is(i + 2, 'là') || is(i + 2, 'bao')))
      return true;
  }
  return false;
}

/**
 * The answer types a question can expect beyond a quantity: a `list` ("hồ sơ gồm những gì",
 * "cần những giấy tờ gì") and `steps` ("thủ tục …", "các bước …", "quy trình …", "trình tự …").
 * Both are answered by a passage that enumerates (`enumerates`); a quantity by one that states a
 * quantity. Read on the folded question, so typed without diacritics they are the same.
 */
export type AnswerType = 'quantity' | 'list' | 'steps';

const ASKS_LIST = /\b(gom|bao gom|can|co) (nhung )?(gi|giay to gi|nhung gi|nhung giay to)\b|\bnhung (gi|giay to)\b/;
const ASKS_STEPS = /\b(thu tuc|cac buoc|nhung buoc|quy trinh|trinh tu)\b/;

export function expectedAnswerType(question: string): AnswerType | null {
  if (asksQuantity(question)) return 'quantity';
  const folded = foldVietnamese(question);
  if (ASKS_LIST.test(folded)) return 'list';
  if (ASKS_STEPS.test(folded)) return 'steps';
  return null;
}

/**
 * A passage enumerates when it holds at least three numbered khoản or lettered điểm — the
 * shape in which the documents write a procedure's steps (two items are as often a rule and
 * its exception). A list ("hồ sơ gồm:") is also introduced: a line ending in a colon.
 */
export function enumerates(passage: string): boolean {
  return (passage.match(ENUMERATION) ?? []).length >= 3;
}
const introducesList = (passage: string) => /:\s*$/m.test(passage);

/** Whether a passage is of the answer type a question expects. */
export function fitsAnswerType(type: AnswerType, passage: string): boolean {
  if (type === 'quantity') return statesQuantity(passage);
  return enumerates(passage) && (type === 'steps' || introducesList(passage));
}
