import type { Sql } from '../db/connect.ts';
import { endGrants } from './remove-role.ts';

/**
 * A role held through membership ends with it. When a member moves from `fromCellId` to
 * `toCellId`, her principal's grants on units that held her old cell and do not hold the new
 * one end (a secretary moved out of her cell is no longer its secretary; a committee member
 * who moves within her commune stays on its committee). When she is deactivated (`toCellId`
 * null), every grant of hers ends. Each ended grant is in the audit log; without any role
 * left her console sessions end. Call it in the transaction that moves or deactivates her.
 */
export async function endMembershipRoles(
  sql: Sql,
  change: { memberId: number; fromCellId: number; toCellId: number | null; actorPrincipalId: number | null; at: Date },
): Promise<number> {
  const grants = await sql.query<{ id: number }>(
    `select g.id from role_grants g
       join principals p on p.id = g.principal_id
       join orgs granted on granted.id = g.org_id
       join orgs was on was.id = $2
       left join orgs now on now.id = $3
      where p.member_id = $1
        and ($3::int is null or (was.path <@ granted.path and not (now.path <@ granted.path)))`,
    [change.memberId, change.fromCellId, change.toCellId],
  );
  return endGrants(
    sql,
    grants.map((g) => g.id),
    {
      actorPrincipalId: change.actorPrincipalId,
      action: 'role.ended',
      details: { memberId: change.memberId, reason: change.toCellId === null ? 'deactivated' : 'transferred' },
      at: change.at,
    },
  );
}
