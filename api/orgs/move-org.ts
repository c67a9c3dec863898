import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { invalid, notFound } from '../errors.ts';
import { assertParentKind } from './create-org.ts';
import { findOrg, reparentOrg, type Org } from './repository.ts';

/** Moves a unit (with everything beneath) under another parent; refuses cycles; audited at both parents. */
export async function moveOrg(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  newParentId: number,
): Promise<Org> {
  return deps.db.tx(async (sql) => {
    const org = await findOrg(sql, orgId);
    if (!org) throw notFound('tổ chức', `org ${orgId}`);
    const parent = await findOrg(sql, newParentId);
    if (!parent) throw notFound('tổ chức cấp trên', `org ${newParentId}`);
    await requireRole(sql, actor, org.id, CAN.manageOrgs);
    await requireRole(sql, actor, parent.id, CAN.manageOrgs);
    if (parent.path === org.path || parent.path.startsWith(`${org.path}.`)) {
      throw invalid(
        'parentId',
        'Không thể chuyển một tổ chức vào chính nó hoặc đơn vị cấp dưới của nó (tạo vòng lặp).',
        'cycle',
      );
    }
    assertParentKind(org.kind, parent.kind);
    await reparentOrg(sql, org, parent);
    // The unit, now under its new parent, and its old parent: both sides' committees see the move.
    for (const orgId of new Set([org.id, org.parentId ?? org.id])) {
      await recordAudit(sql, {
        actorPrincipalId: actor.id,
        orgId,
        action: 'org.moved',
        subjectType: 'org',
        subjectId: org.id,
        details: { fromParentId: org.parentId, toParentId: parent.id },
        at: deps.clock.now(),
      });
    }
    return (await findOrg(sql, org.id))!;
  });
}
