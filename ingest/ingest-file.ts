/**
 * One file into the knowledge store: load and repair the text, chunk it by structure,
 * embed, and replace the document's chunks atomically. Re-ingesting the same bytes with
 * the same embedder changes nothing (content hash).
 */
import type { Db } from '../api/db/connect.ts';
import type { Embedder } from '../knowledge/embed/embedder.ts';
import { contentHash, ensureVectorIndex, storeDocument, type StoreResult } from '../knowledge/store.ts';
import { AppError } from '../api/errors.ts';
import { ExtractionFailed, runExtraction } from '../api/extract/run-extraction.ts';
import { chunkDocument } from './chunk.ts';

export interface IngestOptions {
  maxTokens?: number;
  visibilityOrgId?: number | null;
  /** The unit the document is loaded for (its key is unique within that unit). */
  orgId?: number | null;
  /** The title the uploader gave, in place of the file's own (front matter, <title>, file name). */
  title?: string;
  onProgress?: (p: { pages?: number; chunks?: number; embedded?: number }) => void;
}

export async function ingestFile(
  db: Db,
  embedder: Embedder,
  filename: string,
  data: Buffer,
  options: IngestOptions = {},
): Promise<StoreResult & { pages: number }> {
  const loaded = await readDocument(filename, data);
  const doc = options.title ? { ...loaded, meta: { ...loaded.meta, title: options.title } } : loaded;
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
      // A title given with the upload is part of what was loaded: the same file retitled is a change.
      hash: options.title
        ? contentHash(Buffer.concat([data, Buffer.from(`\0title:${options.title}`)]))
        : contentHash(data),
      filename,
      chunks,
      visibilityOrgId: options.visibilityOrgId,
      orgId: options.orgId,
    },
    (embedded) => options.onProgress?.({ embedded }),
  );
  return { ...result, pages: doc.pages };
}

/** The file's text and metadata, read in an extraction process (bounded in size, memory and time). */
async function readDocument(filename: string, data: Buffer) {
  try {
    return await runExtraction({ kind: 'document', data, filename, field: 'file' });
  } catch (e) {
    if (!(e instanceof ExtractionFailed)) throw e;
    throw new AppError('unsupported_media_type', `Tệp "${filename}" bị hỏng hoặc không đúng định dạng.`, {
      field: 'file',
      detail: e.message,
    });
  }
}
