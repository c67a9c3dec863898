/**
 * The one part of a passage that answers: an article is quoted whole only when no single
 * khoản (numbered clause "1.") or điểm (lettered point "a)") answers better than the rest.
 * Parts are scored by the question's content words (accent-folded, in the documents'
 * wording) and word pairs they contain; a tie, or a part that only introduces a list
 * ("Hồ sơ gồm:"), quotes the whole passage.
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

export function bestExcerpt(body: string, question: string): Excerpt {
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
  const scoreOf = (line: string) => {
    const f = foldedSyllables(inOfficialWords(line));
    const seen = new Set(f);
    const seenPairs = new Set(f.slice(1).map((w, i) => `${f[i]} ${w}`));
    return [...words].filter((w) => seen.has(w)).length + [...pairs].filter((p) => seenPairs.has(p)).length;
  };
  const scored = parts.map((p) => ({ ...p, s: scoreOf(p.line) })).sort((a, b) => b.s - a.s);
  const [best, second] = scored;
  if (best.s === 0 || best.s === second.s || /:\s*$/.test(best.line)) return whole;
  return { text: title ? `${title}\n${best.line}` : best.line, clause: best.clause, point: best.point };
}
