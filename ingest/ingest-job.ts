/**
 * An upload loaded off the request: a job row the editor polls, the file ingested in the
 * background, the term statistics refreshed, and the job marked done (with the result) or
 * failed (with the error's message, never the file's text).
 */
import type { Db } from '../api/db/connect.ts';
import type { Embedder } from '../knowledge/embed/embedder.ts';
import { refreshTermStats } from '../knowledge/store.ts';
import { ingestFile } from './ingest-file.ts';

export async function startIngestJob(
  db: Db,
  embedder: Embedder,
  file: { filename: string; data: Buffer },
  options: { visibilityOrgId: number | null; orgId: number; title?: string },
): Promise<{ jobId: number }> {
  const [{ id }] = await db.query<{ id: number }>(
    `insert into kb_jobs (filename, org_id) values ($1, $2) returning id`,
    [file.filename, options.orgId],
  );
  void ingestFile(db, embedder, file.filename, file.data, options)
    .then(async (r) => {
      await refreshTermStats(db);
      await db.query(`update kb_jobs set status = 'done', result = $2::jsonb, finished_at = now() where id = $1`, [
        id,
        JSON.stringify(r),
      ]);
    })
    .catch((e) =>
      db.query(`update kb_jobs set status = 'failed', error = $2, finished_at = now() where id = $1`, [
        id,
        String((e as Error).message).slice(0, 500),
      ]),
    );
  return { jobId: id };
}
