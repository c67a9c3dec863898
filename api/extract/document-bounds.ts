/**
 * Bounds on uploaded office documents and PDFs, checked before any parser inflates them.
 * They run inside the extraction process (run-extraction.ts), first thing for every file.
 *
 * DOCX and XLSX are zip files. The libraries that read them (mammoth, exceljs, through
 * jszip) inflate every entry in memory and believe neither the sizes the archive declares
 * nor any limit, so a 40 kB "zip bomb" becomes gigabytes. Here yauzl reads the central
 * directory first — entry count and the declared inflated sizes, refused above the bounds
 * without inflating anything — and then streams every entry through zlib, where yauzl stops
 * any entry that inflates past its declared size. A file that passes has at most
 * `maxInflatedBytes` inside it, whatever its headers say.
 *
 * PDFs are bounded by page count (pdf.js reads the page tree, not the pages) and by what
 * their compressed streams inflate to: pdf.js inflates a content, font or object stream
 * whole, so a 0.5 MB stream of 512 MiB costs it a gigabyte. Every Flate stream that is not an
 * image (text extraction never decodes images) is inflated here, counting and keeping
 * nothing, and refused past `maxPdfStreamBytes` each or `maxPdfInflatedBytes` together.
 * What this cannot see (a stream under another filter, or encrypted) is left to the memory,
 * heap and time limits of the extraction process.
 */
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { AppError } from '../errors.ts';

const MB = 1024 * 1024;

export const DOCUMENT_LIMITS = {
  /** Entries in one DOCX/XLSX (a big spreadsheet has a few dozen; a DOCX with images, a few hundred). */
  maxEntries: 2_000,
  /** Everything inside one DOCX/XLSX, inflated. */
  maxInflatedBytes: 200 * MB,
  /** Pages of one PDF. */
  maxPdfPages: 2_000,
  /** One compressed PDF stream (not an image), inflated: a page's text is kilobytes. */
  maxPdfStreamBytes: 32 * MB,
  /** All compressed PDF streams that are not images, inflated. */
  maxPdfInflatedBytes: 256 * MB,
};
export type DocumentLimits = typeof DOCUMENT_LIMITS;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const PDF_MAGIC = Buffer.from('%PDF-');

export const isZip = (data: Buffer) => data.subarray(0, 4).equals(ZIP_MAGIC);
export const isPdf = (data: Buffer) => data.subarray(0, 5).equals(PDF_MAGIC);

const tooLarge = (filename: string, why: string, field: string) =>
  new AppError('payload_too_large', `Tệp "${filename}" quá lớn khi giải nén (${why}); hãy chia nhỏ tệp.`, {
    field,
    detail: `document bounds: ${why}`,
  });

const damaged = (filename: string, field: string, detail: string) =>
  new AppError('unsupported_media_type', `Tệp "${filename}" bị hỏng hoặc không đúng định dạng.`, { field, detail });

/** Refuses (413/415) a zip whose entries or inflated size pass the bounds, before any parser sees it. */
export async function assertZipWithinBounds(
  data: Buffer,
  filename: string,
  field = 'file',
  limits = DOCUMENT_LIMITS,
): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, z) =>
      err ? reject(damaged(filename, field, err.message)) : resolve(z),
    ),
  );
  try {
    // 1. The central directory alone: no byte is inflated yet.
    if (zip.entryCount > limits.maxEntries) throw tooLarge(filename, `${zip.entryCount} mục`, field);
    const entries = await readEntries(zip, filename, field);
    const declared = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (declared > limits.maxInflatedBytes) throw tooLarge(filename, `${Math.round(declared / 1024 / 1024)} MB`, field);
    // 2. Inflate and count, so headers that lie about sizes are caught: yauzl fails an entry
    //    the moment it passes its declared size, which the check above has bounded.
    let inflated = 0;
    for (const entry of entries) {
      inflated += await countEntryBytes(zip, entry, filename, field);
      if (inflated > limits.maxInflatedBytes) throw tooLarge(filename, 'vượt giới hạn', field);
    }
  } finally {
    zip.close();
  }
}

function readEntries(zip: yauzl.ZipFile, filename: string, field: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (e: Error) => reject(damaged(filename, field, e.message)));
    zip.readEntry();
  });
}

function countEntryBytes(zip: yauzl.ZipFile, entry: yauzl.Entry, filename: string, field: string): Promise<number> {
  if (entry.fileName.endsWith('/')) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(damaged(filename, field, err.message));
      let n = 0;
      stream.on('data', (chunk: Buffer) => {
        n += chunk.length;
      });
      stream.on('end', () => resolve(n));
      stream.on('error', (e: Error) =>
        reject(
          /too many bytes/i.test(e.message)
            ? tooLarge(filename, 'kích thước khai báo sai', field)
            : damaged(filename, field, e.message),
        ),
      );
    });
  });
}

/** Refuses (413) a PDF with more pages, or streams that inflate to more, than the bounds; returns the page count. */
export async function assertPdfWithinBounds(
  data: Buffer,
  filename: string,
  field = 'file',
  limits = DOCUMENT_LIMITS,
): Promise<number> {
  assertPdfStreamsWithinBounds(data, filename, field, limits);
  const { getDocumentProxy } = await import('unpdf');
  let pages: number;
  try {
    const pdf = await getDocumentProxy(new Uint8Array(data));
    pages = pdf.numPages;
    await pdf.destroy();
  } catch (e) {
    throw damaged(filename, field, (e as Error).message);
  }
  if (pages > limits.maxPdfPages) throw tooLarge(filename, `${pages} trang`, field);
  return pages;
}

/** Bounds for any uploaded file, by its content: zips (DOCX, XLSX) and PDFs; other files pass. */
export async function assertDocumentWithinBounds(
  data: Buffer,
  filename: string,
  field = 'file',
  limits = DOCUMENT_LIMITS,
): Promise<void> {
  if (isZip(data)) await assertZipWithinBounds(data, filename, field, limits);
  else if (isPdf(data)) await assertPdfWithinBounds(data, filename, field, limits);
}

const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');

/**
 * Inflates every Flate stream of a PDF that is not an image, as pdf.js would, and refuses the
 * file when one passes `maxPdfStreamBytes` or all together pass `maxPdfInflatedBytes`. A
 * stream under two Flate filters is inflated twice. Streams that do not inflate (another
 * filter, encrypted, damaged) are pdf.js's to judge.
 */
export function assertPdfStreamsWithinBounds(data: Buffer, filename: string, field = 'file', limits = DOCUMENT_LIMITS) {
  let total = 0;
  for (let at = data.indexOf(STREAM); at >= 0; at = data.indexOf(STREAM, at + STREAM.length)) {
    if (at >= 3 && data.toString('latin1', at - 3, at) === 'end') continue;
    let start = at + STREAM.length;
    if (data[start] === 0x0d) start++;
    if (data[start] === 0x0a) start++;
    const dictionary = data.toString('latin1', Math.max(0, at - 2048), at);
    const own = dictionary.slice(dictionary.lastIndexOf(' obj') + 1);
    const layers = own.match(/\/FlateDecode\b/g)?.length ?? 0;
    if (layers === 0 || /\/Subtype\s*\/Image\b/.test(own)) continue;
    const end = data.indexOf(END_STREAM, start);
    let bytes: Buffer = data.subarray(start, end < 0 ? data.length : end);
    const budget = Math.min(limits.maxPdfStreamBytes, limits.maxPdfInflatedBytes - total);
    for (let layer = 0; layer < layers && bytes.length > 0; layer++) {
      const inflated = inflateAtMost(bytes, budget);
      if (inflated === 'too large') {
        const bound = budget === limits.maxPdfStreamBytes ? limits.maxPdfStreamBytes : limits.maxPdfInflatedBytes;
        throw tooLarge(filename, `dữ liệu nén bung ra quá ${Math.round(bound / MB)} MB`, field);
      }
      bytes = inflated ?? Buffer.alloc(0);
    }
    total += bytes.length;
    if (end >= 0) at = end;
  }
}

/** The inflated bytes (up to `max`), 'too large' past it, or null when the data does not inflate. */
function inflateAtMost(data: Buffer, max: number): Buffer | 'too large' | null {
  try {
    // A sync flush at the end: a stream cut short (or with a bad checksum) still counts what it holds.
    return zlib.inflateSync(data, { maxOutputLength: Math.max(1, max), finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'too large';
    return null;
  }
}
