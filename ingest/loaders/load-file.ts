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

/**
 * A document's title when nothing names it (no front matter, no <title>, none typed in the
 * upload form): its first heading — the first lines of its text, skipping the header every
 * Vietnamese administrative document opens with (the party's or the state's name, the motto,
 * "Số: …", "…, ngày … tháng … năm …"), up to a line that ends a title, at most two lines (a
 * title is often "HƯỚNG DẪN" then "Về việc …"). An all-capitals title is written in sentence
 * case. Answers cite it, so a member never reads a file name ("huong-dan-sinh-hoat-truc-tuyen").
 * Only a document with no text at all falls back to its file name, spaced out.
 */
export function titleFromText(text: string, filename: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^#{1,6}\s+/, '').trim())
    .filter(Boolean);
  const picked: string[] = [];
  for (const line of lines.slice(0, 12)) {
    if (DOCUMENT_HEADER.test(line)) {
      if (picked.length) break;
      continue;
    }
    if (/^(điều|chương|phần|mục)\s+[\dIVXLC]+\b/iu.test(line) || line.split(/\s+/).length > TITLE_WORDS) break;
    picked.push(line);
    if (picked.length === 2 || picked.join(' ').split(/\s+/).length >= 3) break;
  }
  const title = picked
    .map((l) => (l === l.toUpperCase() ? l.toLowerCase() : l))
    .map((l, i) => (i > 0 && /^\p{Lu}\p{Ll}/u.test(l) ? l.charAt(0).toLowerCase() + l.slice(1) : l))
    .join(' ')
    .replace(/[.:;]$/, '')
    .trim();
  if (!title) return path.basename(filename, path.extname(filename)).replace(/[-_]+/g, ' ').trim() || filename;
  return title.charAt(0).toUpperCase() + title.slice(1);
}
const TITLE_WORDS = 25;
const DOCUMENT_HEADER = new RegExp(
  [
    '^(đảng cộng sản việt nam|cộng hòa xã hội chủ nghĩa việt nam|cộng hoà xã hội chủ nghĩa việt nam)$',
    '^độc lập\\s*[-–—]\\s*tự do',
    '^số\\s*:',
    ',\\s*ngày\\s+\\d{1,2}\\s+tháng',
    '^(tài liệu mẫu\\b.*—|\\*+$|-+$)',
  ].join('|'),
  'iu',
);

export async function loadFile(filename: string, data: Buffer): Promise<LoadedDocument> {
  const ext = path.extname(filename).toLowerCase();
  const base = path.basename(filename, ext);
  const defaults: DocumentMeta = {
    key: base,
    number: null,
    title: base, // replaced below: a document's title is never its file name (titleFromText)
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
      const text = normalizeText(body);
      return { meta: { ...defaults, title: titleFromText(text, filename), ...meta }, text, pages: 1 };
    }
    case '.html':
    case '.htm': {
      const { title, text: html } = await htmlText(data.toString('utf8'));
      const text = normalizeText(html);
      return { meta: { ...defaults, title: title || titleFromText(text, filename) }, text, pages: 1 };
    }
    case '.docx': {
      const text = normalizeText(await docxText(data));
      return { meta: { ...defaults, title: titleFromText(text, filename) }, text, pages: 1 };
    }
    case '.pdf': {
      const pages = await pdfPages(data);
      const text = normalizeText(stripPageFurniture(pages).join('\n\n'));
      return { meta: { ...defaults, title: titleFromText(text, filename) }, text, pages: pages.length };
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
