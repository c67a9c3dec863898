import type { Deps } from '../context.ts';

/**
 * Moves the activity queued by members' recent acts (check-ins, open votes, reads…) into the
 * per-cell counters the console reads (migration 065). The console folds before it reads, so
 * its figures include the last act; the scheduler folds every minute so the queue stays short.
 */
export async function foldMemberActivity(deps: Pick<Deps, 'db'>): Promise<void> {
  await deps.db.query('select fold_member_activity()');
}
