/**
 * Vietnamese text as retrieval sees it: syllables, with and without diacritics, adjacent
 * syllable pairs (most Vietnamese words are two syllables: "đảng viên", "dự bị", "sinh hoạt",
 * so a pair is closer to a word than a syllable is), and a short list of function words that
 * say nothing about a document's subject.
 */
import { foldVietnamese } from '../api/text/fold.ts';

export function syllables(text: string): string[] {
  return (
    text
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

export const folded = (s: string) => foldVietnamese(s);

/**
 * Symbols spelled out as people say them: documents write "0,5%", members ask "bao nhiêu
 * phần trăm". Applied wherever text becomes terms, so the index, the questions and the
 * answer's coverage read "%" the same way.
 */
export const spelledOut = (text: string) => text.replace(/%/g, ' phần trăm ');

/** Syllables without diacritics; folds the whole text once (per-word folding is slow on long text). */
export const foldedSyllables = (text: string): string[] => syllables(foldVietnamese(text));

/** Function words (folded). Questions are full of them; documents too. */
export const STOPWORDS = new Set(
  (
    'la co cua va cac nhung duoc cho trong khi thi nao gi bao nhieu khong the nay do ' +
    'de voi mot hay hoac ma neu ve tu den tai theo ' +
    'nhu phai can sao ai dau bi da se dang vao ra len xuong o boi vi nen ' +
    'hon rat cung lai con chi moi ca tat moi nhieu it ' +
    'thuoc ke lan viec nguoi vay thoi ko k ạ a nhe'
  ).split(' '),
);

/** Where word pairs stop: punctuation and line ends. */
const SEGMENT = /[.,;:!?()[\]{}"“”'‘’…\n]+/;

/** A lexical term with the positions (syllable index) where it starts. */
export type TermPositions = Map<string, number[]>;

/**
 * The terms full-text search indexes and queries use, one tokenizer for both: folded
 * syllables and folded adjacent pairs ("dang vien"). Pairs never cross punctuation, and a
 * pair of two function words ("co the") is left out: it is everywhere and means little.
 */
export function lexicalTerms(text: string): TermPositions {
  const terms: TermPositions = new Map();
  const add = (term: string, pos: number) => {
    const list = terms.get(term);
    if (list) list.push(pos);
    else terms.set(term, [pos]);
  };
  let pos = 0;
  for (const segment of foldVietnamese(spelledOut(text)).split(SEGMENT)) {
    const words = syllables(segment);
    words.forEach((w, i) => {
      add(w, pos + i);
      if (i > 0 && !(STOPWORDS.has(words[i - 1]) && STOPWORDS.has(w))) add(`${words[i - 1]} ${w}`, pos + i - 1);
    });
    pos += words.length;
  }
  return terms;
}

/** Content terms of a question: its lexical terms less the function words. */
export const queryTerms = (text: string): string[] => [...lexicalTerms(text).keys()].filter((t) => !STOPWORDS.has(t));

/**
 * A text's lexical index entry: the tsvector literal of its terms, positions included
 * (PostgreSQL keeps up to 256 positions per term and positions up to 16383; terms are letters,
 * digits and one space, so quoting them is enough), and its length in terms, for BM25.
 *
 * Fields (BM25F, Robertson, Zaragoza & Taylor 2004): the first `headTerms` syllables are the
 * chunk's heading — document title, Chương › Điều path and the article's own title — and
 * their positions carry weight A; the passage's keep the default D. Retrieval counts a heading
 * occurrence as several body occurrences: a heading names what the whole passage is about.
 */
export function lexicalIndexEntry(text: string, headTerms = 0): { tsv: string; length: number } {
  const parts: string[] = [];
  let length = 0;
  for (const [term, positions] of lexicalTerms(text)) {
    parts.push(
      `'${term}':${positions
        .slice(0, 256)
        .map((p) => `${Math.min(p + 1, 16383)}${p < headTerms ? 'A' : ''}`)
        .join(',')}`,
    );
    length += positions.length;
  }
  return { tsv: parts.join(' '), length };
}

/**
 * How many syllables of a chunk's text are its heading: everything before the passage, plus
 * the passage's first line when it is the article's title ("Điều 3. Mức đóng …").
 */
export function headingTermCount(text: string, body: string): number {
  const head = text.endsWith(body) ? text.slice(0, text.length - body.length) : '';
  const firstLine = body.split('\n', 1)[0];
  const title = /^điều\s+\d+/iu.test(firstLine) ? firstLine : '';
  return syllableCount(`${head}\n${title}`);
}

/** Syllables counted as lexicalTerms counts positions. */
const syllableCount = (text: string) =>
  foldVietnamese(spelledOut(text))
    .split(SEGMENT)
    .reduce((n, s) => n + syllables(s).length, 0);

/** A tsquery literal matching any (or all) of the terms. */
export const toTsqueryLiteral = (terms: string[], all = false) => terms.map((t) => `'${t}'`).join(all ? ' & ' : ' | ');
