/**
 * What the service asks an extraction process to do, and what it answers. Files travel as
 * bytes; answers are plain data (structured clone), errors a code and a Vietnamese message.
 */
import type { LoadedDocument } from '../../ingest/loaders/load-file.ts';
import type { ErrorCode } from '../errors.ts';
import type { DocumentLimits } from './document-bounds.ts';
import type { TableFormat, TableRow } from './formats.ts';

interface FileJob {
  data: Uint8Array;
  /** As the uploader named it: in messages, and for the type of a knowledge document. */
  filename: string;
  /** The input field the file came in (for the error). */
  field: string;
  /** Bounds tighter than DOCUMENT_LIMITS (a member list's sheet). */
  limits?: Partial<DocumentLimits>;
}

export type ExtractionJob =
  /** Only the bounds: refused (413/415) or nothing. */
  | (FileJob & { kind: 'bounds' })
  /** A knowledge document: metadata and normalised text (ingest/loaders/load-file.ts). */
  | (FileJob & { kind: 'document' })
  /** The text of a notice attachment. */
  | (FileJob & { kind: 'text'; format: 'pdf' | 'docx' })
  /** A member list's rows of cells, at most `maxRows` (the header included). */
  | (FileJob & { kind: 'table'; format: TableFormat; maxRows: number });

export type JobKind = ExtractionJob['kind'];

export interface ExtractionResults {
  bounds: null;
  document: LoadedDocument;
  text: string;
  table: TableRow[];
}

export type ExtractionReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: ErrorCode; message: string; field?: string; detail?: string } }
  /** The parser threw: the file is not what it says (the caller words the refusal). */
  | { ok: false; failed: string };
