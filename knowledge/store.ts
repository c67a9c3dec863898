/**
 * The knowledge store: documents and their chunks on PostgreSQL/PGlite with pgvector and
 * full-text search. A document is replaced atomically (one transaction): a question asked
 * during a re-ingest sees the old version or the new one, never half of each.
 */
import crypto from 'node:crypto';
import type { Db, Sql } from '../api/db/connect.ts';
import type { Chunk, DocumentMeta } from './document.ts';
import type { Embedder } from './embed/embedder.ts';
import { headingTermCount, lexicalIndexEntry } from './text.ts';

export const toVector = (v: number[]) => `[${v.map((x) => (Number.isFinite(x) ? x.toFixed(6) : '0')).join(',')}]`;
export const contentHash = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * The HNSW index (cosine) for the embedder's dimension, made once. A build is fastest when the
 * graph fits in maintenance_work_mem (pgvector's advice; 100 000 × 512-dimension vectors need
 * about 400 MB): PostgreSQL gets 1 GB for this statement only, PGlite (WebAssembly, whose
 * memory is the process's) 256 MB. Bulk loads insert first and build this once at the end.
 */
export async function ensureVectorIndex(db: Db, dimensions: number): Promise<void> {
  const dim = Number(dimensions);
  const [exists] = await db.query(`select 1 from pg_indexes where indexname = $1`, [`kb_chunks_hnsw_${dim}`]);
  if (exists) return;
  await db.tx(async (sql) => {
    await sql.exec(`set local maintenance_work_mem = '${db.kind === 'postgres' ? '1GB' : '256MB'}'`);
    await sql.exec(
      `create index if not exists kb_chunks_hnsw_${dim} on kb_chunks
         using hnsw ((embedding::vector(${dim})) vector_cosine_ops) where dim = ${dim}`,
    );
  });
}

export interface StoreResult {
  key: string;
  status: 'created' | 'replaced' | 'unchanged';
  chunks: number;
}

export async function storeDocument(
  db: Db,
  embedder: Embedder,
  doc: {
    meta: DocumentMeta;
    hash: string;
    filename: string;
    chunks: Chunk[];
    visibilityOrgId?: number | null;
    /** The unit the document is loaded for: keys are unique per unit (null: the command line's). */
    orgId?: number | null;
  },
  onEmbedded?: (n: number) => void,
): Promise<StoreResult> {
  const orgId = doc.orgId ?? null;
  const [existing] = await db.query<{ hash: string; model: string }>(
    `select content_hash as hash, embed_model as model from kb_documents
      where coalesce(org_id, 0) = coalesce($2::int, 0) and doc_key = $1`,
    [doc.meta.key, orgId],
  );
  if (existing && existing.hash === doc.hash && existing.model === embedder.model)
    return { key: doc.meta.key, status: 'unchanged', chunks: 0 };
  // Embed before the transaction: a slow model must not hold locks.
  const vectors: number[][] = [];
  for (let i = 0; i < doc.chunks.length; i += 64) {
    vectors.push(...(await embedder.embedDocuments(doc.chunks.slice(i, i + 64).map((c) => c.text))));
    onEmbedded?.(Math.min(i + 64, doc.chunks.length));
  }
  await db.tx(async (sql) => {
    const m = doc.meta;
    const [{ id }] = await sql.query<{ id: number }>(
      `insert into kb_documents (doc_key, number, title, issuer, issued_on, status, replaced_by, visibility_org_id,
        visibility_path, filename, content_hash, embed_model, ingested_at, org_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, (select path from orgs where id = $8), $9, $10, $11, now(), $12)
       on conflict ((coalesce(org_id, 0)), doc_key) do update set number = excluded.number, title = excluded.title,
         issuer = excluded.issuer, issued_on = excluded.issued_on, status = excluded.status,
         replaced_by = excluded.replaced_by, visibility_org_id = excluded.visibility_org_id,
         visibility_path = excluded.visibility_path, filename = excluded.filename, content_hash = excluded.content_hash,
         embed_model = excluded.embed_model, ingested_at = now()
       returning id`,
      [
        m.key,
        m.number,
        m.title,
        m.issuer,
        m.issuedOn,
        m.status,
        m.replacedBy,
        doc.visibilityOrgId ?? null,
        doc.filename,
        doc.hash,
        embedder.model,
        orgId,
      ],
    );
    await sql.query(`delete from kb_chunks where document_id = $1`, [id]);
    await insertChunks(sql, id, doc.chunks, vectors, embedder.dimensions);
    // A newer document names what it replaces: mark that one superseded — only documents of
    // this unit's subtree, which whoever loads for this unit has the right on.
    if (m.status === 'in_force')
      await sql.query(
        `update kb_documents d set status = 'superseded'
          where d.replaced_by = $1 and d.status = 'in_force'
            and ($2::int is null or d.org_id in (select o.id from orgs o join orgs u on u.id = $2
              where o.path <@ u.path))`,
        [m.key, orgId],
      );
  });
  return { key: doc.meta.key, status: existing ? 'replaced' : 'created', chunks: doc.chunks.length };
}

export async function insertChunks(sql: Sql, documentId: number, chunks: Chunk[], vectors: number[][], dim: number) {
  await insertChunkRows(
    sql,
    chunks.map((chunk, i) => ({ documentId, chunk, vector: vectors[i] })),
    dim,
  );
}

/**
 * Chunks of one or many documents in one statement (arrays unnested server-side): a bulk load
 * sends thousands of rows per round trip instead of one statement per document.
 */
export async function insertChunkRows(
  sql: Sql,
  rows: { documentId: number; chunk: Chunk; vector: number[] }[],
  dim: number,
) {
  if (!rows.length) return;
  const lexical = rows.map(({ chunk: c }) => lexicalIndexEntry(c.text, headingTermCount(c.text, c.body)));
  await sql.query(
    `insert into kb_chunks (document_id, ord, heading_path, article, clause, body, text, tsv, term_count, dim,
      embedding)
     select c.document_id, c.ord, c.heading_path, c.article, c.clause, c.body, c.text, c.tsv::tsvector, c.term_count,
       $8, c.embedding::vector
       from unnest($1::int[], $2::int[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $9::text[],
         $10::text[], $11::int[])
            as c(document_id, ord, heading_path, article, clause, body, text, embedding, tsv, term_count)`,
    [
      rows.map((r) => r.documentId),
      rows.map((r) => r.chunk.ord),
      rows.map((r) => r.chunk.headingPath),
      rows.map((r) => r.chunk.article),
      rows.map((r) => r.chunk.clause),
      rows.map((r) => r.chunk.body),
      rows.map((r) => r.chunk.text),
      dim,
      rows.map((r) => toVector(r.vector)),
      lexical.map((l) => l.tsv),
      lexical.map((l) => l.length),
    ],
  );
}

/**
 * The lexical index's version: chunks' `tsv` are written by text.ts's tokenizer (syllables and
 * syllable pairs; heading positions weighted A since version 3; "%" read as "phần trăm" since
 * version 4). When the tokenizer changes, bump this; the service rebuilds on start.
 */
export const LEXICAL_VERSION = 4;

/**
 * Brings every chunk's full-text terms to the current tokenizer, in batches (each its own
 * statement, so questions keep working meanwhile), then refreshes the term statistics.
 * Returns how many chunks it rewrote; 0 when the index was already current.
 */
export async function ensureLexicalIndex(db: Db): Promise<number> {
  const [row] = await db.query<{ value: number }>(`select value from kb_stats where key = 'lexical_version'`);
  if (Number(row?.value) === LEXICAL_VERSION) return 0;
  let last = 0;
  let rewritten = 0;
  for (;;) {
    const rows = await db.query<{ id: number; text: string; body: string }>(
      `select id, text, body from kb_chunks where id > $1 order by id limit 2000`,
      [last],
    );
    if (!rows.length) break;
    const lexical = rows.map((r) => lexicalIndexEntry(r.text, headingTermCount(r.text, r.body)));
    await db.query(
      `update kb_chunks c set tsv = v.tsv::tsvector, term_count = v.term_count
         from unnest($1::bigint[], $2::text[], $3::int[]) as v(id, tsv, term_count) where c.id = v.id`,
      [rows.map((r) => r.id), lexical.map((l) => l.tsv), lexical.map((l) => l.length)],
    );
    last = Number(rows[rows.length - 1].id);
    rewritten += rows.length;
  }
  await refreshTermStats(db);
  await db.query(
    `insert into kb_stats (key, value) values ('lexical_version', $1) on conflict (key) do update
      set value = excluded.value`,
    [LEXICAL_VERSION],
  );
  return rewritten;
}

/** Document frequencies of terms, so queries can drop the very common ones. */
export async function refreshTermStats(db: Db): Promise<void> {
  await db.tx(async (sql) => {
    await sql.query(`delete from kb_term_df`);
    await sql.query(`insert into kb_term_df (term, df) select word, ndoc from ts_stat('select tsv from kb_chunks')`);
    await sql.query(
      `insert into kb_stats (key, value) select 'chunks', count(*) from kb_chunks on conflict (key) do update
        set value = excluded.value`,
    );
  });
}
