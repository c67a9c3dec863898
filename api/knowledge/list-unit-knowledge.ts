/**
 * For an editor: the documents loaded for a unit and the units beneath it (each with the unit
 * it was loaded for), and the latest ingest jobs, with their
 * status, chunk counts and errors. The command line's documents loaded with `--org` count as
 * that unit's; the national ones (no unit) are listed for the centre's editors, who may change
 * them — and for a root's editors, to whom they are visible anyway. Another root's are never.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import type { Org } from '../orgs/repository.ts';
import { assertMayLoadDocuments } from './load-document.ts';
import type { IngestJob } from './get-ingest-job.ts';

export interface UnitDocument {
  id: number;
  title: string;
  number: string | null;
  filename: string | null;
  status: 'in_force' | 'superseded';
  chunks: number;
  /** The unit it was loaded for (this one or one beneath); null: national. */
  unitName: string | null;
  ingestedAt: Date;
}

export interface UnitKnowledge {
  unit: Org;
  documents: UnitDocument[];
  jobs: IngestJob[];
}

const SHOWN_DOCUMENTS = 200;
const SHOWN_JOBS = 20;

export async function listUnitKnowledge(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  orgId: number,
): Promise<UnitKnowledge> {
  const unit = await assertMayLoadDocuments(deps, actor, orgId);
  const isRoot = unit.parentId === null;
  const documents = await deps.db.query<UnitDocument>(
    `select d.id, d.title, d.number, d.filename, d.status, d.ingested_at as "ingestedAt", o.name as "unitName",
            (select count(*)::int from kb_chunks c where c.document_id = d.id) as chunks
       from kb_documents d left join orgs o on o.id = coalesce(d.org_id, d.visibility_org_id)
      where o.path <@ (select path from orgs where id = $1)
         or ($2 and d.org_id is null and d.visibility_org_id is null)
      order by d.ingested_at desc, d.id desc limit $3`,
    [unit.id, isRoot, SHOWN_DOCUMENTS],
  );
  const jobs = await deps.db.query<IngestJob>(
    `select id, status, filename, result, error, created_at as "createdAt", finished_at as "finishedAt"
       from kb_jobs where org_id = $1 or ($2 and org_id is null) order by id desc limit $3`,
    [unit.id, unit.kind === 'central', SHOWN_JOBS],
  );
  return { unit, documents, jobs };
}
