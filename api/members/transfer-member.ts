import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { invalid, notFound } from '../errors.ts';
import { assertMemberCell } from './create-member.ts';
import { findMember, moveMemberToCell, type Member } from './repository.ts';

/**
 * Official transfer to another cell; the move is kept in member_transfers as history.
 * The caller needs the right on both cells: the sending side decides the transfer
 * (rules.md §6, QĐ 294 6.3.1), and no one may place a member in a cell outside their subtree
 * (the member would then vote there).
 */
export async function transferMember(
  deps: Pick<Deps, 'db'>,
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
    return (await findMember(sql, memberId))!;
  });
}
