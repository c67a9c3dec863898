import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { notFound } from '../errors.ts';
import { endSessionRow, listOpenSessions } from './session-repository.ts';

/** Ends one of the actor's own sessions (logout, or a forgotten browser elsewhere). */
export async function endConsoleSession(deps: Pick<Deps, 'db' | 'clock'>, actor: Principal, sessionId: number) {
  const now = deps.clock.now();
  await deps.db.tx(async (sql) => {
    if (!(await endSessionRow(sql, actor.id, sessionId, now))) throw notFound('phiên làm việc');
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'console.session_ended',
      subjectType: 'console_session',
      subjectId: sessionId,
      at: now,
    });
  });
}

/** The actor's sessions still open, newest first. */
export async function listConsoleSessions(deps: Pick<Deps, 'db' | 'clock'>, actor: Principal) {
  return listOpenSessions(deps.db, actor.id, deps.clock.now());
}
