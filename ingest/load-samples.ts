/**
 * The demo's sample procedure documents (knowledge/samples/mau-*.md, written for the project
 * and marked "Tài liệu mẫu"): loaded when the knowledge store is empty, so the assistant of a
 * fresh demo answers its first question instead of declining everything. A store that holds
 * any document is left alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../api/db/connect.ts';
import type { Embedder } from '../knowledge/embed/embedder.ts';
import { refreshTermStats } from '../knowledge/store.ts';
import { ingestFile } from './ingest-file.ts';

export const SAMPLES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'knowledge', 'samples');

/** Loads the samples into an empty store; returns how many documents it loaded (0 when the store had some). */
export async function loadSampleDocuments(db: Db, embedder: Embedder, dir = SAMPLES_DIR): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from kb_documents`);
  if (n > 0) return 0;
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^mau-.*\.md$/.test(f))
    .sort();
  for (const f of files) await ingestFile(db, embedder, f, fs.readFileSync(path.join(dir, f)));
  await refreshTermStats(db);
  return files.length;
}
