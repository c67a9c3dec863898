import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { invalid, notFound } from '../errors.ts';
import { assertCardFree } from './create-member.ts';
import { prepareMember, type MemberInput } from './prepare-member.ts';
import { findMember, updateMemberRow, type Member } from './repository.ts';

export type MemberPatch = Partial<Omit<MemberInput, 'cellId'>> & { active?: boolean };

/** Edits a member's record (the cell changes only through a transfer). */
export async function updateMember(
  deps: Pick<Deps, 'db'>,
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
    return updateMemberRow(sql, memberId, { ...fields, active: patch.active });
  });
}
