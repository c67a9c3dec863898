import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import { isCellKind, ORG_KIND_LABELS } from '../orgs/kinds.ts';
import type { Sql } from '../db/connect.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { findCardNumbers, insertMember, type Member } from './repository.ts';
import { prepareMember, type MemberInput } from './prepare-member.ts';

export async function createMember(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: MemberInput,
): Promise<Member> {
  return deps.db.tx(async (sql) => {
    await assertMemberCell(sql, input.cellId);
    await requireRole(sql, actor, input.cellId, CAN.manageMembers);
    const { member, problems } = prepareMember(input);
    if (problems.length) throw invalid(problems[0].field, problems[0].message);
    if (member.cardNumber) await assertCardFree(sql, member.cardNumber);
    const created = await insertMember(sql, member);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      orgId: created.cellId,
      action: 'member.created',
      subjectType: 'member',
      subjectId: created.id,
      at: deps.clock.now(),
    });
    return created;
  });
}

/** Members belong to a chi bộ (or chi bộ cơ sở), never to a higher unit. */
export async function assertMemberCell(sql: Sql, cellId: number): Promise<void> {
  const cell = await findOrg(sql, cellId);
  if (!cell) throw notFound('chi bộ', `org ${cellId}`);
  if (!isCellKind(cell.kind)) {
    throw invalid(
      'cellId',
      `Đảng viên phải thuộc một chi bộ, không thể thuộc ${ORG_KIND_LABELS[cell.kind]} "${cell.name}".`,
    );
  }
}

export async function assertCardFree(sql: Sql, cardNumber: string, exceptMemberId = 0): Promise<void> {
  if ((await findCardNumbers(sql, [cardNumber], exceptMemberId)).length > 0) {
    throw new AppError('conflict', `Số thẻ đảng ${cardNumber} đã có trong hệ thống.`, { field: 'cardNumber' });
  }
}
