/**
 * An editor teaches the assistant (issue 29 point 4): a question — one of the unanswered or 👎
 * questions from her unit's subtree, or one she types — linked to the article that answers it,
 * optionally with a short answer of her own that cites it. Questions worded like it are then
 * answered from that article for members of her unit's subtree only (knowledge/lessons.ts).
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { assertMayLoadDocuments } from './load-document.ts';

export interface TeachInput {
  /** One of the questions to review, from the unit's subtree. */
  questionId?: number;
  /** Or the question as the editor words it. */
  question?: string;
  /** A passage of the article that answers it (as the article choices and search list them). */
  chunkId: number;
  /** The editor's own short answer, shown above the article it cites. */
  note?: string;
}

export async function teachAnswer(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  orgId: number,
  input: TeachInput,
): Promise<{ id: number }> {
  const unit = await assertMayLoadDocuments(deps, actor, orgId);
  return deps.db.tx(async (sql) => {
    let question = input.question?.trim() ?? '';
    if (input.questionId !== undefined) {
      const [asked] = await sql.query<{ question: string }>(
        `select q.question from kb_questions q left join members m on m.id = q.member_id
          where q.id = $1 and coalesce(q.scope_path, m.cell_path) <@ $2::ltree`,
        [input.questionId, unit.path],
      );
      if (!asked) throw notFound('câu hỏi');
      question = asked.question;
    }
    if (question.length < 2) throw invalid('question', 'Đồng chí chọn một câu hỏi hoặc gõ câu hỏi cần dạy.');
    // The article must be one members of this unit may read: loaded above it, for it, or beneath it.
    const [article] = await sql.query<{ documentId: number; article: number | null }>(
      `select d.id as "documentId", c.article from kb_chunks c join kb_documents d on d.id = c.document_id
        where c.id = $1 and (d.visibility_path is null or d.visibility_path @> $2::ltree
          or d.visibility_path <@ $2::ltree)`,
      [input.chunkId, unit.path],
    );
    if (!article) throw notFound('điều khoản');
    if (article.article === null)
      throw new AppError('validation', 'Hãy chọn một điều của tài liệu (đoạn này không thuộc điều nào).', {
        field: 'chunkId',
      });
    const [{ id }] = await sql.query<{ id: number }>(
      `insert into kb_lessons (org_id, org_path, question, document_id, article, note, from_question_id, created_by)
       values ($1, $2::ltree, $3, $4, $5, $6, $7, $8) returning id`,
      [
        unit.id,
        unit.path,
        question,
        article.documentId,
        article.article,
        input.note?.trim() || null,
        input.questionId ?? null,
        actor.id,
      ],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      orgId: unit.id,
      action: 'knowledge.lesson_taught',
      subjectType: 'kb_lesson',
      subjectId: id,
      details: { documentId: article.documentId, article: article.article, fromQuestion: input.questionId ?? null },
    });
    return { id };
  });
}
