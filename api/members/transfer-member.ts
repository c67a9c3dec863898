import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { invalid, notFound } from '../errors.ts';
import { assertMemberCell } from './create-member.ts';
import { findMember, moveMemberToCell, type Member } from './repository.ts';

/** Official transfer to another cell; the move is kept in member_transfers as history. */
export async function transferMember(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  memberId: number,
  input: { toCellId: number; transferredOn: string; note?: string | null },
): Promise<Member> {
  return deps.db.tx(async (sql) => {
    const member = await findMember(sql, memberId);
    if (!member) throw notFound('đảng viên', `member ${memberId}`);
    await assertMemberCell(sql, input.toCellId);
    if (input.toCellId === member.cellId) throw invalid('toCellId', 'Đảng viên đã thuộc chi bộ này.');
    // The sending side decides the transfer (rules.md §6, QĐ 294 6.3.1).
    await requireRole(sql, actor, member.cellId, CAN.manageMembers);
    await moveMemberToCell(sql, memberId, member.cellId, input.toCellId, input.transferredOn, input.note ?? null);
    return (await findMember(sql, memberId))!;
  });
}
