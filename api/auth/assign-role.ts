import type { Deps } from '../context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { findMember } from '../members/repository.ts';
import { findOrg } from '../orgs/repository.ts';
import { ensureMemberPrincipal, findPrincipal, type Principal } from './principal.ts';
import { CAN, grantRole, hasRole, requireRole, type Role } from './roles.ts';

export interface AssignRoleInput {
  orgId: number;
  role: Role;
  memberId?: number;
  principalId?: number;
}

/**
 * Grants a role on a unit (and its subtree) to a member or a principal. The actor needs the
 * right to grant roles on that unit and, for a member (or a member's principal), on the
 * member's cell too: a province's admin cannot hand a role to another province's member, whom
 * that province could then neither see nor manage. Recorded in the audit log.
 */
export async function assignRole(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: AssignRoleInput,
): Promise<{ principalId: number; orgId: number; role: Role }> {
  if ((input.memberId === undefined) === (input.principalId === undefined)) {
    throw new AppError('validation', 'Cần đúng một trong hai trường memberId hoặc principalId.', {
      field: 'memberId',
    });
  }
  return deps.db.tx(async (sql) => {
    if (!(await findOrg(sql, input.orgId))) throw notFound('tổ chức');
    await requireRole(sql, actor, input.orgId, CAN.grantRoles);
    const principal = input.principalId !== undefined ? await findPrincipal(sql, input.principalId) : undefined;
    if (input.principalId !== undefined && !principal) throw notFound('tài khoản');
    const memberId = input.memberId ?? principal?.memberId ?? null;
    if (memberId !== null) {
      const member = await findMember(sql, memberId);
      if (!member?.active) throw notFound('đảng viên');
      if (!(await hasRole(sql, actor.id, member.cellId, CAN.grantRoles)))
        throw forbidden(`principal ${actor.id} may not grant roles to member ${member.id} of cell ${member.cellId}`);
    }
    const target = principal ?? (await ensureMemberPrincipal(sql, memberId!));
    if (await grantRole(sql, target.id, input.orgId, input.role)) {
      await recordAudit(sql, {
        actorPrincipalId: actor.id,
        orgId: input.orgId,
        action: 'role.granted',
        subjectType: 'principal',
        subjectId: target.id,
        details: { role: input.role, memberId: target.memberId },
        at: deps.clock.now(),
      });
    }
    return { principalId: target.id, orgId: input.orgId, role: input.role };
  });
}
