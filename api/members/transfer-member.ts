import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { endMembershipRoles } from '../auth/end-membership-roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { invalid, notFound } from '../errors.ts';
import { assertMemberCell } from './create-member.ts';
import { findMember, moveMemberToCell, type Member } from './repository.ts';

/**
 * Official transfer to another cell; the move is kept in member_transfers as history.
 * The caller needs the right on both cells: the sending side decides the transfer
 * (rules.md §6, QĐ 294 6.3.1), and no one may place a member in a cell outside their subtree
 * (the member would then vote there). Roles she held through her old cell end with the move
 * (api/auth/end-membership-roles.ts); both cells' committees read the move in the audit log.
 */
export async function transferMember(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  memberId: number,
  input: { toCellId: number; transferredOn: string; note?: string | null },
): Promise<Member> {
  return deps.db.tx(async (sql) => {
    const member = await findMember(sql, memberId);
    if (!member) throw notFound('đảng viên', `member ${memberId}`);
    await requireRole(sql, actor, member.cellId, CAN.manageMembers);
    await assertMemberCell(sql, input.toCellId);
    if (input.toCellId === member.cellId) throw invalid('toCellId', 'Đảng viên đã thuộc chi bộ này.');
    await requireRole(sql, actor, input.toCellId, CAN.manageMembers);
    await moveMemberToCell(sql, memberId, member.cellId, input.toCellId, input.transferredOn, input.note ?? null);
    const at = deps.clock.now();
    await endMembershipRoles(sql, {
      memberId,
      fromCellId: member.cellId,
      toCellId: input.toCellId,
      actorPrincipalId: actor.id,
      at,
    });
    for (const [orgId, action] of [
      [member.cellId, 'member.transferred_out'],
      [input.toCellId, 'member.transferred_in'],
    ] as const) {
      await recordAudit(sql, {
        actorPrincipalId: actor.id,
        orgId,
        action,
        subjectType: 'member',
        subjectId: memberId,
        details: { fromCellId: member.cellId, toCellId: input.toCellId, transferredOn: input.transferredOn },
        at,
      });
    }
    return (await findMember(sql, memberId))!;
  });
}
