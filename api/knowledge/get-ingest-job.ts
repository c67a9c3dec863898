import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole } from '../auth/roles.ts';
import { forbidden, notFound } from '../errors.ts';

export interface IngestJob {
  id: number;
  status: 'running' | 'done' | 'failed';
  filename: string;
  result: unknown;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/**
 * An ingest job, for a principal with the editor's right on the job's unit. Jobs from
 * before units were recorded (org_id null) are shown to national editors only (the centre's):
 * a province is a root too, and must not read another's jobs.
 */
export async function getIngestJob(deps: Pick<Deps, 'db'>, actor: Principal, jobId: number): Promise<IngestJob> {
  const { orgId: _unit, ...shown } = await getIngestJobOfUnit(deps, actor, jobId);
  return shown;
}

/** The same, with the unit the job loads for (the console links back to it). */
export async function getIngestJobOfUnit(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  jobId: number,
): Promise<IngestJob & { orgId: number | null }> {
  const [job] = await deps.db.query<IngestJob & { orgId: number | null }>(
    `select id, status, filename, result, error, created_at as "createdAt", finished_at as "finishedAt",
      org_id as "orgId"
       from kb_jobs where id = $1`,
    [jobId],
  );
  if (!job) throw notFound('tác vụ');
  const orgs =
    job.orgId !== null
      ? [job.orgId]
      : (await deps.db.query<{ id: number }>(`select id from orgs where parent_id is null and kind = 'central'`)).map(
          (o) => o.id,
        );
  for (const orgId of orgs) {
    if (await hasRole(deps.db, actor.id, orgId, CAN.editDocuments)) return job;
  }
  throw forbidden(`principal ${actor.id} lacks editor on ingest job ${jobId}`);
}
