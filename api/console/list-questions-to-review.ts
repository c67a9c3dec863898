import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { listQuestionsToReview } from '../../knowledge/rate-answer.ts';
import { assistant } from '../../knowledge/assistant.ts';
import { retrieve } from '../../knowledge/retrieve.ts';
import { correctSpelling } from '../../knowledge/spelling.ts';
import { findUnits } from './repository.ts';

/** For an editor: members' questions beneath the unit that the documents did not answer, or answered badly. */
export async function listQuestionsForEditor(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  orgId: number,
  filter: 'unanswered' | 'poor',
) {
  const [unit] = await findUnits(deps.db, [orgId]);
  if (!unit) throw notFound('tổ chức');
  await requireRole(deps.db, actor, orgId, CAN.editDocuments);
  const rows = await listQuestionsToReview(deps.db, filter, { path: unit.path, kind: unit.kind });
  const listed = rows as { id: number; question: string }[];
  // The articles an editor may link each question to (the first TAUGHT_ROWS questions): those
  // retrieval finds for it among the documents members of the unit read.
  const articles = new Map<number, { chunkId: number; label: string }[]>();
  for (const q of listed.slice(0, TAUGHT_ROWS)) {
    const hits = await retrieve(deps.db, assistant().embedder, await correctSpelling(deps.db, q.question), {
      scopePath: unit.path,
      limit: 8,
    });
    const seen = new Set<string>();
    const options = hits
      .filter(
        (h) => h.article !== null && !seen.has(`${h.docKey}#${h.article}`) && seen.add(`${h.docKey}#${h.article}`),
      )
      .slice(0, 5)
      .map((h) => ({ chunkId: Number(h.chunkId), label: `${h.body.split('\n')[0]} — ${h.title}` }));
    articles.set(q.id, options);
  }
  return {
    unit,
    articles,
    rows: rows as {
      id: number;
      askedAt: Date;
      question: string;
      rating: number | null;
      comment: string | null;
      chosen: string | null;
    }[],
  };
}

/** How many of the listed questions get a form to link them to an article (each is one retrieval). */
const TAUGHT_ROWS = 20;
