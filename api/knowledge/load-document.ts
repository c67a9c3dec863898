/**
 * An editor loads a procedure document for a unit: the file is embedded off the request and
 * the editor polls the job. The document's key is unique within that unit, so loading can
 * only replace a document of the same unit — one the editor holds the right on.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { AppError, notFound } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import { assistant } from '../../knowledge/assistant.ts';
import { documentVisibility } from '../../knowledge/scope.ts';
import { startIngestJob } from '../../ingest/ingest-job.ts';
import { SUPPORTED_EXTENSIONS } from '../../ingest/loaders/load-file.ts';

/** Checks the caller's right on the unit before anything is read or written. */
export async function assertMayLoadDocuments(deps: Pick<Deps, 'db'>, actor: Principal, orgId: number) {
  const org = await findOrg(deps.db, orgId);
  if (!org) throw notFound('tổ chức');
  await requireRole(deps.db, actor, org.id, CAN.editDocuments);
  return org;
}

export async function loadDocument(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  orgId: number,
  file: { filename: string; data: Buffer },
  options: { title?: string } = {},
): Promise<{ jobId: number }> {
  const org = await assertMayLoadDocuments(deps, actor, orgId);
  if (!SUPPORTED_EXTENSIONS.some((e) => file.filename.toLowerCase().endsWith(e))) {
    throw new AppError('unsupported_media_type', `Chỉ nhận tệp ${SUPPORTED_EXTENSIONS.join(', ')}.`, {
      field: 'file',
    });
  }
  return startIngestJob(deps.db, assistant().embedder, file, {
    // The unit's subtree sees it; only the centre's documents are national (scope.ts).
    visibilityOrgId: await documentVisibility(deps.db, org.id),
    orgId: org.id,
    title: options.title?.trim() || undefined,
  });
}
