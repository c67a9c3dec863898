/**
 * One file into the knowledge store: load and repair the text, chunk it by structure,
 * embed, and replace the document's chunks atomically. Re-ingesting the same bytes with
 * the same embedder changes nothing (content hash).
 */
import type { Db } from '../api/db/connect.ts';
import type { Embedder } from '../knowledge/embed/embedder.ts';
import { contentHash, ensureVectorIndex, storeDocument, type StoreResult } from '../knowledge/store.ts';
import { chunkDocument } from './chunk.ts';
import { loadFile } from './loaders/load-file.ts';

export interface IngestOptions {
  maxTokens?: number;
  visibilityOrgId?: number | null;
  /** The unit the document is loaded for (its key is unique within that unit). */
  orgId?: number | null;
  onProgress?: (p: { pages?: number; chunks?: number; embedded?: number }) => void;
}

export async function ingestFile(
  db: Db,
  embedder: Embedder,
  filename: string,
  data: Buffer,
  options: IngestOptions = {},
): Promise<StoreResult & { pages: number }> {
  const doc = await loadFile(filename, data);
  options.onProgress?.({ pages: doc.pages });
  const chunks = await chunkDocument(doc.text, {
    label: doc.meta.number ?? doc.meta.title,
    title: doc.meta.title,
    maxTokens: options.maxTokens,
  });
  options.onProgress?.({ chunks: chunks.length });
  await ensureVectorIndex(db, embedder.dimensions);
  const result = await storeDocument(
    db,
    embedder,
    {
      meta: doc.meta,
      hash: contentHash(data),
      filename,
      chunks,
      visibilityOrgId: options.visibilityOrgId,
      orgId: options.orgId,
    },
    (embedded) => options.onProgress?.({ embedded }),
  );
  return { ...result, pages: doc.pages };
}
