/**
 * What the knowledge store keeps: a document's metadata and its structured chunks. The
 * ingest pipeline (ingest/) produces these; the store and retrieval (knowledge/) read them.
 * They live here so knowledge/ never imports ingest/ (ingest/ depends on knowledge/, not the
 * other way round).
 */

export interface DocumentMeta {
  /** Stable document id (front matter `id`, else the file name). */
  key: string;
  number: string | null;
  title: string;
  issuer: string | null;
  issuedOn: string | null;
  status: 'in_force' | 'superseded';
  replacedBy: string | null;
}

export interface Chunk {
  ord: number;
  headingPath: string;
  article: number | null;
  clause: number | null;
  /** The heading path, then the passage: what is embedded, indexed and quoted. */
  text: string;
  /** The passage alone, for quoting. */
  body: string;
}
