import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
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

/** Adds a unit under a parent the actor administers (a root needs the command line: `actor` null); audited. */
export async function createOrg(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal | null,
  input: CreateOrgInput,
): Promise<Org> {
  return deps.db.tx(async (sql) => {
    const parent = input.parentId === null ? null : await findOrg(sql, input.parentId);
    if (input.parentId !== null && !parent) throw notFound('tổ chức cấp trên', `org ${input.parentId}`);
    // The command line (actor null) is the operator's: it may create any unit.
    if (parent && actor) await requireRole(sql, actor, parent.id, CAN.manageOrgs);
    else if (actor) throw new AppError('forbidden', 'Chỉ quản trị hệ thống (dòng lệnh) mới tạo được tổ chức gốc.');
    assertParentKind(input.kind, parent?.kind ?? null);
    const deployed = input.deployed ?? true;
    if (!deployed && !input.notDeployedReason?.trim()) {
      throw invalid('notDeployedReason', 'Cần nêu lý do đơn vị không triển khai.');
    }
    const org = await insertOrg(sql, {
      parentId: parent?.id ?? null,
      kind: input.kind,
      name: input.name.trim(),
      deployed,
      notDeployedReason: deployed ? null : input.notDeployedReason!.trim(),
    });
    await recordAudit(sql, {
      actorPrincipalId: actor?.id ?? null,
      orgId: org.id,
      action: 'org.created',
      subjectType: 'org',
      subjectId: org.id,
      details: { kind: org.kind, parentId: org.parentId, via: actor ? 'api' : 'cli' },
      at: deps.clock.now(),
    });
    return org;
  });
}

export function assertParentKind(kind: OrgKind, parentKind: OrgKind | null): void {
  if (!ALLOWED_PARENTS[kind].includes(parentKind)) {
    const where = parentKind ? `dưới ${ORG_KIND_LABELS[parentKind]}` : 'ở gốc cây tổ chức';
    throw invalid('parentId', `${ORG_KIND_LABELS[kind]} không thể nằm ${where}.`, `kind ${kind} under ${parentKind}`);
  }
}
