/**
 * The one part of a passage that answers: an article is quoted whole only when no single
 * khoản (numbered clause "1.") or điểm (lettered point "a)") answers better than the rest.
 * Parts are scored by the question's content words (accent-folded, in the documents'
 * wording) and word pairs they contain, each weighted by how few of the article's parts share
 * it (an inverse part frequency: "đảng viên" in every khoản tells them apart less than
 * "sinh viên" in one) and, when the caller knows the store, by how rare it is in the whole
 * store (its IDF: in a document about đảng phí, "đảng phí" says less than "sinh viên"); a
 * tie, or a part that only introduces a list ("Hồ sơ gồm:"), quotes the whole passage.
 */
import { foldedSyllables, STOPWORDS } from './text.ts';
import { inOfficialWords } from './thesaurus.ts';

export interface Excerpt {
  text: string;
  /** The khoản quoted, when one was. */
  clause: number | null;
  /** The điểm quoted ("a", "đ"), when one was. */
  point: string | null;
}

const CLAUSE = /^(\d{1,2})\.\s/;
const POINT = /^([a-zđ])\)\s/u;

/** `weightOf`: a folded word or pair → its weight (the store's IDF); 1 for every term when omitted. */
export function bestExcerpt(body: string, question: string, weightOf: (term: string) => number = () => 1): Excerpt {
  const lines = body.split('\n').filter((l) => l.trim());
  const whole = { text: body, clause: null, point: null };
  const titled = /^điều\s+\d+/iu.test(lines[0] ?? '');
  const title = titled ? lines[0] : null;
  const parts: { line: string; clause: number | null; point: string | null }[] = [];
  let clause: number | null = null;
  for (const line of titled ? lines.slice(1) : lines) {
    const c = CLAUSE.exec(line);
    if (c) clause = Number(c[1]);
    const p = POINT.exec(line);
    parts.push({ line, clause, point: p ? p[1] : null });
  }
  if (parts.length < 2) return whole;
  const q = foldedSyllables(inOfficialWords(question));
  const words = new Set(q.filter((w) => !STOPWORDS.has(w)));
  const pairs = new Set(
    q
      .slice(1)
      .map((w, i) => [q[i], w])
      .filter(([a, b]) => !STOPWORDS.has(a) || !STOPWORDS.has(b))
      .map(([a, b]) => `${a} ${b}`),
  );
  const features = parts.map((p) => {
    const f = foldedSyllables(inOfficialWords(p.line));
    return new Set([
      ...f.filter((w) => words.has(w)),
      ...f
        .slice(1)
        .map((w, i) => `${f[i]} ${w}`)
        .filter((x) => pairs.has(x)),
    ]);
  });
  const partsWith = new Map<string, number>();
  for (const set of features) for (const x of set) partsWith.set(x, (partsWith.get(x) ?? 0) + 1);
  const scored = parts
    .map((p, i) => ({ ...p, s: [...features[i]].reduce((n, x) => n + weightOf(x) / partsWith.get(x)!, 0) }))
    // A heading line (a title, a subtitle) holds the question's words and answers nothing.
    .filter((p) => !isHeadingLine(p.line))
    .sort((a, b) => b.s - a.s);
  const [best, second = { s: 0 }] = scored;
  if (!best || best.s === 0 || best.s - second.s < 1e-9 || /:\s*$/.test(best.line)) return whole;
  return { text: title ? `${title}\n${best.line}` : best.line, clause: best.clause, point: best.point };
}

/**
 * A short line that is neither a khoản nor a điểm and does not end a sentence: a heading
 * ("HƯỚNG DẪN", "Sinh hoạt chi bộ trực tuyến qua mạng"), never quoted alone.
 */
function isHeadingLine(line: string): boolean {
  const text = line.trim();
  return !CLAUSE.test(text) && !POINT.test(text) && !/[.;:!?…]$/.test(text) && text.split(/\s+/).length < HEADING_WORDS;
}
const HEADING_WORDS = 10;
