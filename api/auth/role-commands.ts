/**
 * The command line's role subcommands (npm run admin -- roles | remove-role): the operator
 * lists the roles held on a unit and beneath it, and removes one (audited, as through the API).
 */
import type { Deps } from '../context.ts';
import { AppError } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import { removeRole } from './remove-role.ts';
import { listGrantsUnder } from './roles.ts';

export const ROLE_USAGE = `  npm run admin -- roles --org <id>
  npm run admin -- remove-role <id vai trò>`;

const positiveId = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : undefined);

/** One line per role held on the unit and beneath it: id, unit, role, principal (and member). */
export async function listRolesCommand(deps: Pick<Deps, 'db'>, orgValue: string | undefined): Promise<string[]> {
  const orgId = positiveId(orgValue);
  const org = orgId ? await findOrg(deps.db, orgId) : undefined;
  if (!org) throw new AppError('validation', `Cần --org <id> của một tổ chức có thật.\n${ROLE_USAGE}`);
  const grants = await listGrantsUnder(deps.db, org.path);
  if (grants.length === 0) return [`Không có vai trò nào trên "${org.name}" và các đơn vị trực thuộc.`];
  return [
    'id\tđơn vị\tvai trò\tprincipal\tđảng viên',
    ...grants.map(
      (g) => `${g.id}\t${g.orgId} ${g.orgName}\t${g.role}\t${g.principalId} ${g.principalName}\t${g.memberId ?? '-'}`,
    ),
  ];
}

export async function removeRoleCommand(deps: Pick<Deps, 'db' | 'clock'>, grantValue: string | undefined) {
  const grantId = positiveId(grantValue);
  if (!grantId) throw new AppError('validation', `Cần id của vai trò (xem: npm run admin -- roles --org <id>).`);
  const g = await removeRole(deps, null, grantId);
  return [`Đã bỏ vai trò ${g.role} của ${g.principalName} (principal ${g.principalId}) trên "${g.orgName}".`];
}
