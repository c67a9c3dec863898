/**
 * Hostile files, generated: small on the wire, huge when a parser opens them. Each is built
 * from a short unit repeated, compressed once and the compressed block repeated (deflate
 * blocks ended with a sync flush concatenate), so a bomb of hundreds of megabytes costs the
 * test a few milliseconds and no memory.
 *
 * - `docxBomb`: a DOCX whose document.xml is millions of empty paragraphs (74 KB for 47 MiB of
 *   XML, under the zip bound: it stalled the service for 24 s and took it to 3.5 GB);
 * - `pdfStreamBomb`: a one-page PDF whose content stream inflates to 512 MiB (0.5 MB);
 * - `xlsxSharedStringsBomb`: an XLSX whose shared strings table holds millions of strings;
 * - `nestedHtml`: tags nested a hundred thousand deep;
 * - `zipBomb`: one entry of zeros, declaring its true size or lying about it.
 */
import zlib from 'node:zlib';

const MB = 1024 * 1024;

/** Deflated data of `unit` repeated `times` times, and the CRC-32 and length of the whole. */
interface Deflated {
  compressed: Buffer;
  crc: number;
  length: number;
  adler: number;
}

/** Raw deflate of `head + unit × times + tail`, built from one compressed chunk of units repeated. */
function deflateRepeated(head: string, unit: string, times: number, tail: string): Deflated {
  const sync = { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const unitBytes = Buffer.from(unit);
  // A chunk of about 1 MiB of whole units, compressed once and repeated.
  const perChunk = Math.max(1, Math.floor(MB / unitBytes.length));
  const chunk = Buffer.concat(Array.from({ length: Math.min(perChunk, times) }, () => unitBytes));
  const chunkBlock = zlib.deflateRawSync(chunk, sync);
  const parts: Buffer[] = [];
  const headBytes = Buffer.from(head);
  const tailBytes = Buffer.from(tail);
  let crc = zlib.crc32(headBytes);
  let adler = adler32(headBytes, 1);
  parts.push(zlib.deflateRawSync(headBytes, sync));
  let left = times;
  const unitsPerChunk = chunk.length / unitBytes.length;
  const chunkAdler = adler32(chunk, 1);
  while (left >= unitsPerChunk) {
    parts.push(chunkBlock);
    crc = zlib.crc32(chunk, crc);
    adler = adler32Combine(adler, chunkAdler, chunk.length);
    left -= unitsPerChunk;
  }
  const rest = Buffer.concat([...Array.from({ length: left }, () => unitBytes), tailBytes]);
  crc = zlib.crc32(rest, crc);
  adler = adler32(rest, adler);
  parts.push(zlib.deflateRawSync(rest));
  return {
    compressed: Buffer.concat(parts),
    crc,
    adler,
    length: headBytes.length + times * unitBytes.length + tailBytes.length,
  };
}

function adler32(data: Buffer, start: number): number {
  let a = start & 0xffff;
  let b = start >>> 16;
  // Sums fit a double for 3 800 bytes between reductions (zlib's NMAX is 5 552).
  for (let i = 0; i < data.length; ) {
    const end = Math.min(data.length, i + 3800);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib's adler32_combine: the checksum of A followed by B, from theirs and B's length. */
function adler32Combine(a1: number, a2: number, len2: number): number {
  const BASE = 65521;
  const rem = len2 % BASE;
  let sum1 = a1 & 0xffff;
  let sum2 = (rem * sum1) % BASE;
  sum1 += (a2 & 0xffff) + BASE - 1;
  sum2 += (a1 >>> 16) + (a2 >>> 16) + BASE - rem;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum2 >= 2 * BASE) sum2 -= 2 * BASE;
  if (sum2 >= BASE) sum2 -= BASE;
  return ((sum2 << 16) | sum1) >>> 0;
}

interface ZipEntry {
  name: string;
  deflated: Deflated;
  /** What the headers claim the entry inflates to (default: the truth). */
  declared?: number;
}

const entryOf = (name: string, text: string): ZipEntry => ({ name, deflated: deflateRepeated(text, '', 0, '') });

/** A zip of deflated entries, with local headers, a central directory and its end record. */
export function buildZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const size = e.declared ?? e.deflated.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.deflated.crc >>> 0, 14);
    local.writeUInt32LE(e.deflated.compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(e.deflated.crc >>> 0, 16);
    central.writeUInt32LE(e.deflated.compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.deflated.compressed);
    centrals.push(central, name);
    offset += local.length + name.length + e.deflated.compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** A zip with one entry of `size` zero bytes that declares `declared` as its size. */
export function zipBomb(size: number, declared = size, name = 'xl/worksheets/sheet1.xml'): Buffer {
  return buildZip([{ name, deflated: deflateRepeated('', '\0', size, ''), declared }]);
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const DOCX_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ' +
  'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const DOCX_RELS =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" ' +
  'Target="word/document.xml"/></Relationships>';

/** A DOCX whose body is `paragraph` (XML) repeated `times` times. */
export function docxOf(paragraph: string, times: number): Buffer {
  const document = deflateRepeated(
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${W}"><w:body>`,
    paragraph,
    times,
    '</w:body></w:document>',
  );
  return buildZip([
    entryOf('[Content_Types].xml', DOCX_TYPES),
    entryOf('_rels/.rels', DOCX_RELS),
    { name: 'word/document.xml', deflated: document },
  ]);
}

/** The audit's DOCX: about 74 KB, its document.xml `xmlBytes` (47 MiB) of empty paragraphs. */
export function docxBomb(xmlBytes = 47 * MB): Buffer {
  return docxOf('<w:p/>', Math.floor(xmlBytes / 6));
}

/** A readable DOCX of `paragraphs` paragraphs of Vietnamese text (the honest counterpart). */
export function docxText(paragraphs: number): Buffer {
  return docxOf('<w:p><w:r><w:t>Chi bộ họp thường kỳ mỗi tháng một lần.</w:t></w:r></w:p>', paragraphs);
}

const XLSX_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ' +
  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ' +
  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/sharedStrings.xml" ' +
  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>';
const XLSX_ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" ' +
  'Target="xl/workbook.xml"/></Relationships>';
const XLSX_WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" ' +
  'Target="worksheets/sheet1.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" ' +
  'Target="sharedStrings.xml"/></Relationships>';
const XLSX_WORKBOOK =
  '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
  '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>';
const XLSX_SHEET =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>';

/** An XLSX whose shared strings table holds `strings` one-letter strings (one cell uses the first). */
export function xlsxSharedStringsBomb(strings = 4_000_000): Buffer {
  const table = deflateRepeated(
    '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
    '<si><t>a</t></si>',
    strings,
    '</sst>',
  );
  return buildZip([
    entryOf('[Content_Types].xml', XLSX_TYPES),
    entryOf('_rels/.rels', XLSX_ROOT_RELS),
    entryOf('xl/workbook.xml', XLSX_WORKBOOK),
    entryOf('xl/_rels/workbook.xml.rels', XLSX_WORKBOOK_RELS),
    entryOf('xl/worksheets/sheet1.xml', XLSX_SHEET),
    { name: 'xl/sharedStrings.xml', deflated: table },
  ]);
}

/** A PDF of `pages` pages, each with the given content stream objects (already encoded). */
function pdfOf(pageStreams: { dict: string; data: Buffer }[]): Buffer {
  const objects: Buffer[] = [];
  const kids: string[] = [];
  const obj = (text: string | Buffer) => objects.push(Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'));
  obj('<< /Type /Catalog /Pages 2 0 R >>');
  obj(''); // the page tree, written once the pages are numbered
  obj('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (const s of pageStreams) {
    const contents = objects.length + 2;
    kids.push(`${objects.length + 1} 0 R`);
    const resources = '/Resources << /Font << /F1 3 0 R >> >>';
    obj(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] ${resources} /Contents ${contents} 0 R >>`);
    obj(
      Buffer.concat([
        Buffer.from(`<< ${s.dict} /Length ${s.data.length} >>\nstream\n`, 'latin1'),
        s.data,
        Buffer.from('\nendstream', 'latin1'),
      ]),
    );
  }
  objects[1] = Buffer.from(`<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${kids.length} >>`, 'latin1');
  const out: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = out[0].length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(length);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), o, Buffer.from('\nendobj\n', 'latin1')]);
    out.push(b);
    length += b.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  out.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(out);
}

/** A zlib stream (FlateDecode) of `unit` repeated to `bytes` bytes. */
function flate(unit: string, bytes: number): Buffer {
  const d = deflateRepeated('', unit, Math.floor(bytes / unit.length), '');
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(d.adler, 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), d.compressed, trailer]);
}

/** The audit's PDF: one page whose content stream (0.5 MB) inflates to `bytes` (512 MiB) of spaces. */
export function pdfStreamBomb(bytes = 512 * MB): Buffer {
  return pdfOf([{ dict: '/Filter /FlateDecode', data: flate(' ', bytes) }]);
}

/** A readable PDF: `pages` pages, each a few lines of (ASCII) text in a compressed stream. */
export function pdfText(pages: number, line = 'Chi bo hop thuong ky moi thang mot lan.'): Buffer {
  const content = (n: number) =>
    `BT /F1 12 Tf 72 760 Td (Trang ${n}) Tj 0 -20 Td (${line}) Tj 0 -20 Td (${line}) Tj ET`;
  return pdfOf(
    Array.from({ length: pages }, (_, i) => ({
      dict: '/Filter /FlateDecode',
      data: zlib.deflateSync(Buffer.from(content(i + 1), 'latin1')),
    })),
  );
}

/** A valid PDF with `pages` empty pages (uncompressed). */
export function pdfWithPages(pages: number): Buffer {
  return pdfOf(Array.from({ length: pages }, () => ({ dict: '', data: Buffer.alloc(0) })));
}

/** HTML with tags nested `depth` deep around one sentence. */
export function nestedHtml(depth = 100_000): Buffer {
  return Buffer.from(
    `<html><head><title>Lồng nhau</title></head><body>${'<div>'.repeat(depth)}Điều 1. Nội dung.` +
      `${'</div>'.repeat(depth)}</body></html>`,
  );
}
