/**
 * Members ask in everyday words; procedure documents use the official ones ("họp online" —
 * "sinh hoạt trực tuyến", "nghỉ hưu" — "hưu trí", "xin vào Đảng" — "kết nạp"). Each group
 * starts with the documents' wording, followed by the ways members say it. Matching is on
 * accent-folded whole words, so "hop online" and "họp online" both match.
 *
 * Retrieval searches with the question plus the documents' wording of what it found; answer
 * coverage reads the question and the passages both in the documents' wording, so a passage
 * that says "trực tuyến" covers a question that said "online" (and "nghỉ hưu" still covers
 * "nghỉ hưu" when a document uses the everyday word).
 */
import { foldVietnamese } from '../api/text/fold.ts';
import { spelledOut } from './text.ts';

const GROUPS: string[][] = [
  ['trực tuyến', 'online', 'qua mạng', 'từ xa'],
  ['hưu trí', 'nghỉ hưu', 'về hưu'],
  ['kết nạp', 'xin vào đảng', 'vào đảng'],
  ['tuổi cao', 'già yếu', 'lớn tuổi', 'cao tuổi'],
  ['kỷ luật', 'xử phạt', 'bị phạt'],
  ['khai trừ', 'đuổi khỏi đảng', 'ra khỏi đảng'],
  ['sinh hoạt chi bộ', 'họp chi bộ'],
  ['phát thẻ', 'nhận thẻ', 'cấp thẻ'],
  ['chuyển sinh hoạt đảng', 'chuyển đảng'],
  ['thời hạn', 'bao lâu', 'mấy ngày', 'bao nhiêu ngày'],
  ['ít nhất', 'tối thiểu'],
  ['tán thành', 'đồng ý', 'ủng hộ'],
  ['không tán thành', 'phản đối'],
  ['thẩm quyền', 'ai quyết định', 'cấp nào quyết định'],
  ['khiếu nại', 'khiếu kiện', 'kháng cáo'],
  ['vắng mặt', 'nghỉ họp', 'không đi họp'],
  ['xóa tên', 'gạch tên', 'loại khỏi đảng'],
  ['phiếu kín', 'phiếu bí mật', 'bầu kín'],
  ['đảng phí', 'tiền đảng', 'phí đảng'],
];

/** Everyday phrase (folded) → the documents' wording, longest phrases first. */
const EVERYDAY = GROUPS.flatMap(([official, ...everyday]) =>
  everyday.map((e) => ({ re: wordRe(foldVietnamese(e)), official })),
).sort((a, b) => b.re.source.length - a.re.source.length);

function wordRe(phrase: string): RegExp {
  return new RegExp(`(^|[^a-z0-9])${phrase.replace(/ /g, '\\s+')}(?=$|[^a-z0-9])`, 'g');
}

/** The question followed by the documents' wording of the everyday phrases it uses (for search). */
export function withOfficialWords(question: string): string {
  const folded = foldVietnamese(question);
  const extra = [...new Set(EVERYDAY.filter((e) => folded.search(e.re) >= 0).map((e) => e.official))];
  return extra.length ? `${question} (${extra.join(', ')})` : question;
}

/** A text, folded, with symbols spelled out and everyday phrases replaced by the documents' wording (for coverage). */
export function inOfficialWords(text: string): string {
  let folded = foldVietnamese(spelledOut(text));
  for (const e of EVERYDAY)
    folded = folded.replace(e.re, (_, before: string) => `${before}${foldVietnamese(e.official)}`);
  return folded;
}
