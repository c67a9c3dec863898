/**
 * Bounds on uploaded office documents and PDFs, checked before any parser inflates them.
 *
 * DOCX and XLSX are zip files. The libraries that read them (mammoth, exceljs, through
 * jszip) inflate every entry in memory and believe neither the sizes the archive declares
 * nor any limit, so a 40 kB "zip bomb" becomes gigabytes. Here yauzl reads the central
 * directory first — entry count and the declared inflated sizes, refused above the bounds
 * without inflating anything — and then streams every entry through zlib (off the event
 * loop), where yauzl stops any entry that inflates past its declared size. A file that
 * passes has at most `maxInflatedBytes` inside it, whatever its headers say.
 *
 * PDFs are bounded by page count (pdf.js reads the page tree, not the pages).
 */
import yauzl from 'yauzl';
import { AppError } from '../errors.ts';

export const DOCUMENT_LIMITS = {
  /** Entries in one DOCX/XLSX (a big spreadsheet has a few dozen; a DOCX with images, a few hundred). */
  maxEntries: 2_000,
  /** Everything inside one DOCX/XLSX, inflated. */
  maxInflatedBytes: 200 * 1024 * 1024,
  /** Pages of one PDF. */
  maxPdfPages: 2_000,
};

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

/** Refuses (413) a PDF with more pages than the bound; returns the page count. */
export async function assertPdfWithinBounds(
  data: Buffer,
  filename: string,
  field = 'file',
  limits = DOCUMENT_LIMITS,
): Promise<number> {
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
export async function assertDocumentWithinBounds(data: Buffer, filename: string, field = 'file'): Promise<void> {
  if (isZip(data)) await assertZipWithinBounds(data, filename, field);
  else if (isPdf(data)) await assertPdfWithinBounds(data, filename, field);
}
