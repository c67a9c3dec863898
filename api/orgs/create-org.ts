import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { ALLOWED_PARENTS, ORG_KIND_LABELS, type OrgKind } from './kinds.ts';
import { findOrg, insertOrg, type Org } from './repository.ts';

export interface CreateOrgInput {
  parentId: number | null;
  kind: OrgKind;
  name: string;
  deployed?: boolean;
  notDeployedReason?: string | null;
}

/** Adds a unit under a parent the actor administers (a root needs an admin CLI). */
export async function createOrg(deps: Pick<Deps, 'db'>, actor: Principal | null, input: CreateOrgInput): Promise<Org> {
  return deps.db.tx(async (sql) => {
    const parent = input.parentId === null ? null : await findOrg(sql, input.parentId);
    if (input.parentId !== null && !parent) throw notFound('tổ chức cấp trên', `org ${input.parentId}`);
    if (parent) await requireRole(sql, actor, parent.id, CAN.manageOrgs);
    else if (actor) throw new AppError('forbidden', 'Chỉ quản trị hệ thống (dòng lệnh) mới tạo được tổ chức gốc.');
    assertParentKind(input.kind, parent?.kind ?? null);
    const deployed = input.deployed ?? true;
    if (!deployed && !input.notDeployedReason?.trim()) {
      throw invalid('notDeployedReason', 'Cần nêu lý do đơn vị không triển khai.');
    }
    return insertOrg(sql, {
      parentId: parent?.id ?? null,
      kind: input.kind,
      name: input.name.trim(),
      deployed,
      notDeployedReason: deployed ? null : input.notDeployedReason!.trim(),
    });
  });
}

export function assertParentKind(kind: OrgKind, parentKind: OrgKind | null): void {
  if (!ALLOWED_PARENTS[kind].includes(parentKind)) {
    const where = parentKind ? `dưới ${ORG_KIND_LABELS[parentKind]}` : 'ở gốc cây tổ chức';
    throw invalid('parentId', `${ORG_KIND_LABELS[kind]} không thể nằm ${where}.`, `kind ${kind} under ${parentKind}`);
  }
}
