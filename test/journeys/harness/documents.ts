/**
 * Files a person downloads, read back as they would read them: a DOCX's text (mammoth) and a
 * PDF's text page by page (pdftotext, from poppler-utils).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Download } from 'playwright-core';
import { createRequire } from 'node:module';
import mammoth from 'mammoth';
import PDFDocument from 'pdfkit';

/** The bytes of a finished download. */
export async function downloaded(download: Download): Promise<Buffer> {
  return fs.readFileSync((await download.path())!);
}

/** A DOCX's text with runs of white space made single spaces. */
export async function docxText(file: Buffer): Promise<string> {
  return (await mammoth.extractRawText({ buffer: file })).value.replace(/\s+/g, ' ').trim();
}

/** A PDF's pages as text (pdftotext keeps the layout; pages are split on form feeds). */
export function pdfPages(file: Buffer): string[] {
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { input: file, encoding: 'utf8' });
  return text.split('\f').filter((p) => p.trim());
}

const require = createRequire(import.meta.url);
const FONT = require.resolve('@expo-google-fonts/tinos/400Regular/Tinos_400Regular.ttf');

/** A one-page PDF holding `text` (in Tinos, so Vietnamese reads back), as a secretary might attach. */
export function pdfOf(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const parts: Buffer[] = [];
    doc.on('data', (b: Buffer) => parts.push(b));
    doc.on('end', () => resolve(Buffer.concat(parts)));
    doc.on('error', reject);
    doc.font(FONT).fontSize(14).text(text);
    doc.end();
  });
}
