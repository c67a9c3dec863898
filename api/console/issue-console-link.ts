import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { listRoleGrants } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { LINK_MINUTES } from './policy.ts';
import { insertLoginLink, newSecret } from './session-repository.ts';

/**
 * A member with a role asks for the console in chat and gets a one-time link that works for
 * a few minutes. Members without a role are told who the console is for; nothing is stored.
 */
export async function issueConsoleLink(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  actor: Principal,
): Promise<{ url: string; expiresAt: Date; minutes: number }> {
  const grants = await listRoleGrants(deps.db, actor.id);
  if (grants.length === 0) {
    throw new AppError(
      'forbidden',
      'Trang quản trị dành cho bí thư chi bộ, cấp ủy và biên tập viên. Đồng chí chưa được giao vai trò nào; ' +
        'nếu cần, xin liên hệ cấp ủy cấp trên.',
      { detail: `principal ${actor.id} has no role` },
    );
  }
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + LINK_MINUTES * 60_000);
  const token = newSecret();
  await deps.db.tx(async (sql) => {
    await insertLoginLink(sql, actor.id, token, expiresAt, now);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'console.link_issued',
      subjectType: 'principal',
      subjectId: actor.id,
      at: now,
    });
  });
  const base = deps.config.publicUrl ?? `http://localhost:${deps.config.port}`;
  return { url: `${base}/console/login/${token}`, expiresAt, minutes: LINK_MINUTES };
}
