import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { endMembershipRoles } from '../auth/end-membership-roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { invalid, notFound } from '../errors.ts';
import { assertCardFree } from './create-member.ts';
import { prepareMember, type MemberInput } from './prepare-member.ts';
import { findMember, updateMemberRow, type Member } from './repository.ts';

export type MemberPatch = Partial<Omit<MemberInput, 'cellId'>> & { active?: boolean };

/**
 * Edits a member's record (the cell changes only through a transfer). Deactivating a member
 * ends every role she held (api/auth/end-membership-roles.ts). The audit log names the fields
 * that changed, never their values.
 */
export async function updateMember(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  memberId: number,
  patch: MemberPatch,
): Promise<Member> {
  return deps.db.tx(async (sql) => {
    const current = await findMember(sql, memberId);
    if (!current) throw notFound('đảng viên', `member ${memberId}`);
    await requireRole(sql, actor, current.cellId, CAN.manageMembers);
    const { member, problems } = prepareMember({ ...current, ...patch, cellId: current.cellId });
    if (problems.length) throw invalid(problems[0].field, problems[0].message);
    if (member.cardNumber && member.cardNumber !== current.cardNumber)
      await assertCardFree(sql, member.cardNumber, memberId);
    const { cellId: _cell, ...fields } = member;
    const updated = await updateMemberRow(sql, memberId, { ...fields, active: patch.active });
    const at = deps.clock.now();
    const changed = (Object.keys(updated) as (keyof Member)[]).filter(
      (k) => String(updated[k] ?? '') !== String(current[k] ?? ''),
    );
    const action =
      current.active && !updated.active
        ? 'member.deactivated'
        : !current.active && updated.active
          ? 'member.reactivated'
          : 'member.updated';
    if (action === 'member.deactivated')
      await endMembershipRoles(sql, {
        memberId,
        fromCellId: current.cellId,
        toCellId: null,
        actorPrincipalId: actor.id,
        at,
      });
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      orgId: current.cellId,
      action,
      subjectType: 'member',
      subjectId: memberId,
      details: { fields: changed },
      at,
    });
    return updated;
  });
}
