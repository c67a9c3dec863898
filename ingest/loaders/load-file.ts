/**
 * Loads a document file into normalised text plus metadata. Markdown carries its metadata
 * in YAML front matter (id, number, title, issuer, date, status, replaced_by).
 *
 * Runs inside an extraction process, after the file's bounds were checked: call it through
 * `runExtraction({ kind: 'document', … })` (api/extract/run-extraction.ts), never on the
 * service's event loop.
 */
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { docxText, htmlText, pdfPages } from '../../api/extract/formats.ts';
import type { DocumentMeta } from '../../knowledge/document.ts';
import { normalizeText, stripPageFurniture } from '../normalize.ts';

export type { DocumentMeta };

export interface LoadedDocument {
  meta: DocumentMeta;
  text: string;
  pages: number;
}

export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.txt', '.html', '.htm', '.docx', '.pdf'];

export async function loadFile(filename: string, data: Buffer): Promise<LoadedDocument> {
  const ext = path.extname(filename).toLowerCase();
  const base = path.basename(filename, ext);
  const defaults: DocumentMeta = {
    key: base,
    number: null,
    title: base,
    issuer: null,
    issuedOn: null,
    status: 'in_force',
    replacedBy: null,
  };
  switch (ext) {
    case '.md':
    case '.markdown':
    case '.txt': {
      const { meta, body } = frontMatter(data.toString('utf8'));
      return { meta: { ...defaults, ...meta }, text: normalizeText(body), pages: 1 };
    }
    case '.html':
    case '.htm': {
      const { title, text } = await htmlText(data.toString('utf8'));
      return { meta: { ...defaults, title: title || base }, text: normalizeText(text), pages: 1 };
    }
    case '.docx':
      return { meta: defaults, text: normalizeText(await docxText(data)), pages: 1 };
    case '.pdf': {
      const pages = await pdfPages(data);
      return { meta: defaults, text: normalizeText(stripPageFurniture(pages).join('\n\n')), pages: pages.length };
    }
    default:
      throw new Error(`unsupported file type ${ext} (supported: ${SUPPORTED_EXTENSIONS.join(', ')})`);
  }
}

function frontMatter(text: string): { meta: Partial<DocumentMeta>; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n?/.exec(text.replace(/^\uFEFF/, ''));
  if (!m) return { meta: {}, body: text };
  const y = (parseYaml(m[1]) ?? {}) as Record<string, unknown>;
  const str = (v: unknown) =>
    v === null || v === undefined ? null : String(v instanceof Date ? v.toISOString().slice(0, 10) : v);
  return {
    meta: {
      ...(y.id ? { key: String(y.id) } : {}),
      ...(y.title ? { title: String(y.title) } : {}),
      number: str(y.number),
      issuer: str(y.issuer),
      issuedOn: str(y.date),
      status: y.status === 'superseded' ? 'superseded' : 'in_force',
      replacedBy: str(y.replaced_by),
    },
    body: text.slice(m[0].length),
  };
}
