import type { Sql } from '../api/db/connect.ts';
import { AppError } from '../api/errors.ts';

/** A member rates an answer 👍/👎 (optionally with a comment); editors review the 👎 ones. */
export async function rateAnswer(sql: Sql, questionId: number, memberId: number | null, rating: 1 | -1, comment?: string | null) {
  const rows = await sql.query(
    `update kb_questions set rating = $3, comment = coalesce($4, comment) where id = $1 and (member_id is not distinct from $2) returning 1`,
    [questionId, memberId, rating, comment?.trim() || null],
  );
  if (!rows.length) throw new AppError('not_found', 'Không tìm thấy câu hỏi này.');
}

/** What editors should look at: questions the documents did not answer, and poorly rated answers. */
export async function listQuestionsToReview(sql: Sql, filter: 'unanswered' | 'poor') {
  return sql.query(
    `select id, asked_at as "askedAt", question, confidence, rating, comment from kb_questions
      where ${filter === 'unanswered' ? 'abstained' : 'rating = -1'} order by id desc limit 200`,
  );
}
