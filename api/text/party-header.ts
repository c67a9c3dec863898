/**
 * The header block of a party document (Hướng dẫn 36-HD/VPTW 2018; rules.md §9), shared by
 * the minutes, the election result sheet and the console's progress report: at the left the
 * body above, the issuing body, a star and the number; at the right "ĐẢNG CỘNG SẢN VIỆT NAM",
 * underlined, and the place and date.
 */
import { AlignmentType, BorderStyle, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';

export interface HeaderLine {
  text: string;
  bold?: boolean;
  italic?: boolean;
  /** A rule beneath, as long as the line (the Party's name). */
  rule?: boolean;
}

export interface PartyHeader {
  headerLeft: HeaderLine[];
  headerRight: HeaderLine[];
}

export function partyDocumentHeader(o: {
  /** The body above the issuer (none for a root unit). */
  parentName: string | null;
  issuerName: string;
  /** The number line (`documentNumber`): `Số 12-BC/ĐU`, or blank for the office to fill: `Số      -BB/CB`. */
  number: string;
  /** The locality (địa danh) where the issuer sits, not the venue; null: left to fill in. */
  place: string | null;
  at: Date;
}): PartyHeader {
  const vn = new Date(o.at.getTime() + 7 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    headerLeft: [
      ...(o.parentName ? [{ text: o.parentName.toUpperCase() }] : []),
      { text: o.issuerName.toUpperCase(), bold: true },
      { text: '*' },
      { text: o.number },
    ],
    headerRight: [
      { text: 'ĐẢNG CỘNG SẢN VIỆT NAM', bold: true, rule: true },
      {
        text:
          `${o.place ?? '………'}, ngày ${pad(vn.getUTCDate())} ` +
          `tháng ${pad(vn.getUTCMonth() + 1)} năm ${vn.getUTCFullYear()}`,
        italic: true,
      },
    ],
  };
}

/**
 * The number and ký hiệu of a party document (HD 36): "Số 12-BC/ĐU" — the number in the issuer's
 * register, the document type (BC báo cáo, BB biên bản) and the issuer (ĐU đảng ủy, CB chi bộ).
 * Without a number the space is left for the office to write it in.
 */
export function documentNumber(number: number | null, type: string, issuer: string): string {
  return `Số ${number === null ? '     ' : number}-${type}/${issuer}`;
}

const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
export const NO_BORDERS = {
  top: NO_BORDER,
  bottom: NO_BORDER,
  left: NO_BORDER,
  right: NO_BORDER,
  insideHorizontal: NO_BORDER,
  insideVertical: NO_BORDER,
};

/** The header as a borderless two-column DOCX table (14 pt; the Party's name 15 pt bold, underlined). */
export function partyHeaderTable(h: PartyHeader): Table {
  const line = (l: HeaderLine) =>
    new Paragraph({
      alignment: AlignmentType.CENTER,
      border: l.rule ? { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } } : undefined,
      children: [new TextRun({ text: l.text, bold: l.bold, italics: l.italic, size: l.rule ? 30 : 28 })],
    });
  const column = (lines: HeaderLine[], width: number) =>
    new TableCell({
      width: { size: width, type: WidthType.PERCENTAGE },
      borders: NO_BORDERS,
      children: lines.map(line),
    });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: NO_BORDERS,
    rows: [new TableRow({ children: [column(h.headerLeft, 45), column(h.headerRight, 55)] })],
  });
}

/** "Đảng bộ xã Đồng Đăng", "Đảng ủy phường …", "Đảng bộ tỉnh Lào Cai": the administrative unit's own name. */
const ADMINISTRATIVE =
  /^(?:đảng bộ|đảng ủy|chi bộ)\s+(?:xã|phường|thị trấn|thị xã|đặc khu|huyện|quận|thành phố|tỉnh)\s+(.+)$/iu;

/**
 * The place written before the date (địa danh, HD 36): the name of the administrative unit where
 * the issuer sits — the nearest unit above (or the issuer itself) named after a commune, ward,
 * town, district or province ("Đảng bộ xã Đồng Đăng" → "Đồng Đăng"), never the meeting's venue.
 * `names` run from the issuer up to the root; null when none is named so (left to fill in).
 */
export function localityOf(names: readonly string[]): string | null {
  for (const name of names) {
    const m = ADMINISTRATIVE.exec(name.replace(/\s*\([^)]*\)\s*$/, '').trim());
    if (m) return m[1].trim();
  }
  return null;
}
