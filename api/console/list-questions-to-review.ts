import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { listQuestionsToReview } from '../../knowledge/rate-answer.ts';
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
  return {
    unit,
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
