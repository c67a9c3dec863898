import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { readableUnit } from './get-readable-unit.ts';
import { feedbackTimes } from './repository.ts';

/** Members' feedback per unit beneath one: received, answered, average hours to answer. */
export async function getFeedbackTimes(deps: Pick<Deps, 'db'>, actor: Principal, orgId: number) {
  const unit = await readableUnit(deps, actor, orgId);
  return feedbackTimes(deps.db, unit.path);
}
