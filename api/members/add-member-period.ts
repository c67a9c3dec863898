import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { invalid, notFound } from '../errors.ts';
import { assertMemberCell } from './create-member.ts';
import { findMember, insertPeriod, type MemberPeriod, type PeriodKind } from './repository.ts';

export interface PeriodInput {
  kind: PeriodKind;
  startsOn: string;
  endsOn?: string | null;
  reason?: string | null;
  /** For a temporary transfer: the host cell the member attends meanwhile. */
  hostCellId?: number | null;
}

/**
 * Records a dated fact that changes the vote base (rules.md §1): exemption, suspension,
 * prosecution, or a temporary transfer (the member stays on the home cell's roll and
 * attends the host cell). A temporary transfer needs the right on the host cell too: it puts
 * the member on that cell's roll.
 */
export async function addMemberPeriod(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  memberId: number,
  input: PeriodInput,
): Promise<MemberPeriod> {
  return deps.db.tx(async (sql) => {
    const member = await findMember(sql, memberId);
    if (!member) throw notFound('đảng viên', `member ${memberId}`);
    await requireRole(sql, actor, member.cellId, CAN.manageMembers);
    if (input.endsOn && input.endsOn < input.startsOn)
      throw invalid('endsOn', 'Ngày kết thúc không thể trước ngày bắt đầu.');
    const isTransfer = input.kind === 'temporary_transfer';
    if (isTransfer && !input.hostCellId) throw invalid('hostCellId', 'Chuyển sinh hoạt tạm thời cần chi bộ nơi đến.');
    if (!isTransfer && input.hostCellId)
      throw invalid('hostCellId', 'Chỉ chuyển sinh hoạt tạm thời mới có chi bộ nơi đến.');
    if (isTransfer) {
      await assertMemberCell(sql, input.hostCellId!);
      if (input.hostCellId === member.cellId) throw invalid('hostCellId', 'Chi bộ nơi đến phải khác chi bộ hiện tại.');
      await requireRole(sql, actor, input.hostCellId!, CAN.manageMembers);
    }
    return insertPeriod(sql, {
      memberId,
      kind: input.kind,
      hostCellId: isTransfer ? input.hostCellId! : null,
      startsOn: input.startsOn,
      endsOn: input.endsOn ?? null,
      reason: input.reason ?? null,
    });
  });
}
