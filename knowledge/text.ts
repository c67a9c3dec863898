/**
 * Vietnamese text as retrieval sees it: syllables, with and without diacritics, and a short
 * list of function words that say nothing about a document's subject.
 */
import { foldVietnamese } from '../api/text/fold.ts';

export function syllables(text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export const folded = (s: string) => foldVietnamese(s);

/** Syllables without diacritics; folds the whole text once (per-word folding is slow on long text). */
export const foldedSyllables = (text: string): string[] => syllables(foldVietnamese(text));

/** Function words (folded). Questions are full of them; documents too. */
export const STOPWORDS = new Set(
  ('la co cua va cac nhung duoc cho trong khi thi nao gi bao nhieu khong the nay do de voi mot hay hoac ma neu ve tu den tai theo ' +
    'nhu phai can sao ai dau bi da se dang vao ra len xuong o boi vi nen hon rat cung lai con chi moi ca tat moi nhieu it ' +
    'thuoc ke lan viec nguoi vay thoi ko k ạ a nhe').split(' '),
);
