import type { Sql } from '../api/db/connect.ts';
import { AppError } from '../api/errors.ts';

/** A member rates an answer 👍/👎 (optionally with a comment); editors review the 👎 ones. */
export async function rateAnswer(
  sql: Sql,
  questionId: number,
  memberId: number | null,
  rating: 1 | -1,
  comment?: string | null,
) {
  const rows = await sql.query(
    `update kb_questions set rating = $3, comment = coalesce($4, comment) where id = $1
      and (member_id is not distinct from $2) returning 1`,
    [questionId, memberId, rating, comment?.trim() || null],
  );
  if (!rows.length) throw new AppError('not_found', 'Không tìm thấy câu hỏi này.');
}

/**
 * What an editor of a unit should look at: questions the documents did not answer, and poorly
 * rated answers, asked from that unit's subtree (with the article the member chose, when the
 * assistant offered choices) (the asker's cell when asked). Questions asked
 * from nowhere in the tree (an API token of staff) are shown to national editors only — the
 * centre's (`kind` central): a province is a root too, and must not read another's questions.
 */
export async function listQuestionsToReview(
  sql: Sql,
  filter: 'unanswered' | 'poor',
  unit: { path: string; kind: string },
) {
  return sql.query(
    `select q.id, q.asked_at as "askedAt", q.question, q.confidence, q.rating, q.comment,
            (select split_part(c.body, E'\n', 1) || ' — ' || d.title
               from kb_chunks c join kb_documents d on d.id = c.document_id where c.id = q.chosen_chunk_id) as chosen
       from kb_questions q left join members m on m.id = q.member_id
      where ${filter === 'unanswered' ? 'q.abstained' : 'q.rating = -1'}
        and (coalesce(q.scope_path, m.cell_path) <@ $1::ltree
          or (coalesce(q.scope_path, m.cell_path) is null and $2::boolean))
      order by q.id desc limit 200`,
    [unit.path, unit.kind === 'central'],
  );
}
