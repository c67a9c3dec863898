/**
 * What editors taught the assistant (issue 29 point 4): a question linked to the article that
 * answers it, applying in the editor's subtree. A member's question worded like a taught one
 * is answered from that article.
 *
 * "Worded like" is a weighted overlap of the two questions' content terms — folded syllables
 * and syllable pairs in the documents' wording (thesaurus.ts), framing cut out ("thế nào",
 * "bao lâu") — each weighted by its IDF in the store, as abstention weighs them: the share of
 * the two questions' combined weight they have in common. Two wordings of
 * one question share their rare words; two questions about different things share at most
 * the common ones. Nothing is keyed to a particular question.
 *
 * The measure is the weighted Dice coefficient (twice the shared weight over the sum of both
 * questions' weights). LESSON_MATCH is a judgement, not fitted on a question set: on the demo's
 * documents, rewordings of "đảng viên bận việc gia đình không đi họp được thì phải làm gì" score
 * 0.47–0.58, a question on the same subject without its particular ("đảng viên không đi họp chi
 * bộ thì sao") 0.34, an unrelated one ("giá vàng hôm nay") 0.21. A rewording in other words
 * altogether ("bận việc nhà" for "bận việc gia đình", 0.15) is not caught: the offline method
 * knows no synonyms beyond thesaurus.ts.
 */
import type { Sql } from '../api/db/connect.ts';
import { subjectTermsOf } from './abstain.ts';
import { documentFrequencies } from './retrieve.ts';

/** A taught question applies when its weighted overlap with the asked one reaches this share. */
export const LESSON_MATCH = 0.45;

export interface Lesson {
  id: number;
  question: string;
  documentId: number;
  article: number;
  note: string | null;
}

/** The taught lesson that best matches a question, among those of units above the asker's cell. */
export async function findLesson(sql: Sql, question: string, scopePath: string | null): Promise<Lesson | null> {
  if (!scopePath) return null;
  const lessons = await sql.query<Lesson>(
    `select id, question, document_id as "documentId", article, note from kb_lessons
      where $1::ltree <@ org_path order by id desc limit 500`,
    [scopePath],
  );
  if (!lessons.length) return null;
  const asked = new Set(subjectTermsOf(question));
  const taught = lessons.map((l) => new Set(subjectTermsOf(l.question)));
  const all = [...new Set([...asked, ...taught.flatMap((s) => [...s])])];
  const { rows, total } = await documentFrequencies(sql, all);
  const df = new Map(rows.map((r) => [r.term, Number(r.df)]));
  const weight = (t: string) => Math.log(1 + (total - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));
  let best: { lesson: Lesson; score: number } | null = null;
  for (const [i, lesson] of lessons.entries()) {
    const score = weightedDice(asked, taught[i], weight);
    if (score >= LESSON_MATCH && (!best || score > best.score)) best = { lesson, score };
  }
  return best?.lesson ?? null;
}

export function weightedDice(a: Set<string>, b: Set<string>, weight: (t: string) => number): number {
  let shared = 0;
  let sum = 0;
  for (const t of a) {
    sum += weight(t);
    if (b.has(t)) shared += 2 * weight(t);
  }
  for (const t of b) sum += weight(t);
  return sum ? shared / sum : 0;
}
