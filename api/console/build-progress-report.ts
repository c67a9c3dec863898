import { AlignmentType, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import type { Deps } from '../context.ts';
import { recordExport } from '../audit/record-audit.ts';
import type { Principal } from '../auth/principal.ts';
import { getUnitDashboard } from './get-unit-dashboard.ts';
import { getMeetingsMonth } from './get-meetings-month.ts';
import { ACTIVE_MEANING } from './policy.ts';
import { documentNumber, NO_BORDERS, partyDocumentHeader, partyHeaderTable } from '../text/party-header.ts';
import { type DocumentSettings, getDocumentSettings, issuingBody, withoutNote } from '../orgs/document-settings.ts';
import { vietnamDate } from '../text/vietnam-time.ts';

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toLocaleString('vi-VN')} %`;
const num = (n: number) => n.toLocaleString('vi-VN');

/**
 * A "Báo cáo sơ kết" for a month, laid out as a party document that can be handed in (Hướng dẫn
 * 36-HD/VPTW, rules.md §9): at the left the body above and the issuing body — the committee
 * ("ĐẢNG ỦY THỊ TRẤN …") or the cell — a star and the number with its ký hiệu ("Số 12-BC/ĐU", or
 * blank for the office's register); at the right the Party's name and "<locality>, ngày …";
 * the title; the figures by unit and the meetings by cell, each table with a total row; the
 * units below target and those left out named; the signature "T/M ĐẢNG ỦY / BÍ THƯ" with the
 * signer's name. Header and signer come from the unit's document settings (console), shared
 * with the minutes and result sheets.
 */
export async function buildProgressReport(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  month: string,
  number: number | null = null,
): Promise<{ data: Buffer; filename: string }> {
  const d = await getUnitDashboard(deps, actor, orgId);
  const meetings = await getMeetingsMonth(deps, actor, orgId, month);
  const now = deps.clock.now();
  const settings = await getDocumentSettings(deps.db, orgId, vietnamDate(now));
  await recordExport(deps.db, { actor, orgId: d.unit.id, what: 'report', format: 'docx', at: now });
  const [y, mo] = month.split('-');
  const t = d.totals;
  const below = d.children.filter((c) => c.belowTarget);
  const unitName = withoutNote(d.unit.name);
  const line = (text: string, opts: { bold?: boolean; italics?: boolean; size?: number } = {}) =>
    new Paragraph({
      spacing: { after: 120 },
      alignment: AlignmentType.JUSTIFIED,
      indent: { firstLine: 567 },
      children: [new TextRun({ text, ...opts })],
    });
  const heading = (text: string) =>
    new Paragraph({ spacing: { before: 120, after: 120 }, children: [new TextRun({ text, bold: true })] });
  const centred = (text: string, opts: { bold?: boolean; italics?: boolean; size?: number } = {}) =>
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text, ...opts })] });

  const header = partyHeaderTable(
    partyDocumentHeader({
      parentName: settings.parentName,
      issuerName: settings.issuerName,
      number: documentNumber(number, 'BC', settings.symbol),
      place: settings.locality,
      at: now,
    }),
  );

  const live = d.children.filter((c) => !c.excluded);
  const figures = table(
    ['Đơn vị', 'Đảng viên', 'Đã liên kết', 'Tỷ lệ liên kết', 'Hoạt động 30 ngày'],
    live.map((c) => [c.name, num(c.members), num(c.linked), pct(c.share), num(c.active)]),
    ['Cộng', num(t.members), num(t.linked), pct(t.share), num(t.active)],
  );
  const cells = meetings.cells.filter((c) => !c.excluded);
  const met = cells.filter((c) => c.meetings > 0);
  const notMet = cells.filter((c) => c.meetings === 0);
  const meetingsTable = table(
    ['Chi bộ', 'Số buổi sinh hoạt', 'Đủ 3 phần', 'Ghi chú'],
    cells.map((c) => [
      c.cellName,
      num(c.meetings),
      num(c.complete),
      c.meetings === 0 ? 'Chưa sinh hoạt trên nền tảng' : c.complete < c.meetings ? 'Thiếu phần' : '',
    ]),
    ['Cộng', num(meetings.meetings.length), num(meetings.complete), `${num(notMet.length)} chi bộ chưa sinh hoạt`],
  );

  const doc = new Document({
    styles: { default: { document: { run: { font: 'Times New Roman', size: 28 } } } },
    sections: [
      {
        properties: {
          page: { size: { width: 11906, height: 16838 }, margin: { top: 1134, bottom: 1134, left: 1701, right: 1134 } },
        },
        children: [
          header,
          new Paragraph({ text: '' }),
          centred('BÁO CÁO', { bold: true, size: 32 }),
          centred(`sơ kết việc sử dụng Sổ tay đảng viên trên Telegram, Zalo và trang web tháng ${mo}/${y}`, {
            bold: true,
            size: 28,
          }),
          centred('-----', {}),
          heading('I. KẾT QUẢ THỰC HIỆN'),
          heading('1. Liên kết tài khoản và sử dụng'),
          line(
            `Toàn ${unitName} có ${num(t.members)} đảng viên sinh hoạt tại ${num(t.cells)} chi bộ ` +
              `sử dụng Sổ tay; ${num(t.linked)} đồng chí đã liên kết tài khoản, đạt ${pct(t.share)} ` +
              `(Telegram ${num(t.telegram)}, Zalo ${num(t.zalo)}, trang web ${num(t.web)}); ` +
              `${num(t.active)} đồng chí hoạt động trong 30 ngày qua (${ACTIVE_MEANING}).`,
          ),
          line(
            below.length
              ? `Có ${num(below.length)} đơn vị chưa đạt mục tiêu ${pct(d.target.value)} đảng viên liên kết: ` +
                  `${below.map((b) => `${b.name} (${pct(b.share)})`).join('; ')}.`
              : `Tất cả đơn vị trực thuộc đạt mục tiêu ${pct(d.target.value)} đảng viên liên kết.`,
          ),
          ...(d.excluded.length
            ? [
                line(
                  `Không tính vào số liệu: ${d.excluded
                    .map((e) => `${e.name} (${num(e.members)} đảng viên; ${reasonOf(e.reason)})`)
                    .join('; ')}.`,
                ),
              ]
            : []),
          line('Số liệu theo đơn vị:', { italics: true }),
          figures,
          heading(`2. Sinh hoạt chi bộ tháng ${mo}/${y}`),
          line(
            `${num(met.length)}/${num(cells.length)} chi bộ đã tổ chức ${num(meetings.meetings.length)} buổi sinh ` +
              `hoạt trên nền tảng; ${num(meetings.complete)} buổi thực hiện đủ 3 phần (gửi tài liệu trước ít nhất ` +
              `một ngày; điểm danh, đánh giá và biểu quyết nghị quyết; công bố nghị quyết và giao nhiệm vụ).` +
              (notMet.length
                ? ` Chi bộ chưa sinh hoạt trên nền tảng: ${notMet.map((c) => c.cellName).join('; ')}.`
                : ''),
          ),
          meetingsTable,
          heading('II. PHƯƠNG HƯỚNG THÁNG TỚI'),
          line(
            below.length
              ? 'Các đơn vị chưa đạt mục tiêu rà soát danh sách đảng viên chưa liên kết tài khoản, hướng dẫn ' +
                  'từng đồng chí cài đặt và liên kết trong tháng tới.'
              : 'Duy trì tỷ lệ liên kết; hướng dẫn đảng viên mới liên kết tài khoản ngay khi chuyển sinh hoạt đến.',
          ),
          ...(notMet.length
            ? [
                line(
                  'Các chi bộ chưa sinh hoạt trên nền tảng tổ chức sinh hoạt, gửi tài liệu trước ít nhất một ngày ' +
                    'và điểm danh, biểu quyết trên Sổ tay.',
                ),
              ]
            : []),
          new Paragraph({ text: '' }),
          signatureBlock(settings, d.unit.name),
        ],
      },
    ],
  });
  return { data: Buffer.from(await Packer.toBuffer(doc)), filename: `bao-cao-so-ket-thang-${mo}-${y}.docx` };
}

/** A table with its header row in bold and a total row in bold at the foot. */
function table(head: string[], rows: string[][], total: string[]): Table {
  const cell = (text: string, bold: boolean, right: boolean) =>
    new TableCell({
      children: [
        new Paragraph({
          alignment: right ? AlignmentType.RIGHT : AlignmentType.LEFT,
          children: [new TextRun({ text, bold, size: 24 })],
        }),
      ],
    });
  const row = (values: string[], bold: boolean, header = false) =>
    new TableRow({
      tableHeader: header,
      children: values.map((v, i) => cell(v, bold, !header && i > 0 && /^[\d.,\s%]+$/.test(v))),
    });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [row(head, true, true), ...rows.map((r) => row(r, false)), row(total, true)],
  });
}

/** Nơi nhận at the left; at the right "T/M ĐẢNG ỦY", the title, room to sign, the name. */
function signatureBlock(s: DocumentSettings, unitName: string): Table {
  const p = (text: string, opts: { bold?: boolean; italics?: boolean; size?: number } = {}, center = false) =>
    new Paragraph({
      alignment: center ? AlignmentType.CENTER : AlignmentType.LEFT,
      children: [new TextRun({ text, ...opts })],
    });
  const above = s.parentName ? issuingBody(s.parentName) : null;
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: [
          new TableCell({
            borders: NO_BORDERS,
            width: { size: 45, type: WidthType.PERCENTAGE },
            children: [
              p('Nơi nhận:', { bold: true, italics: true, size: 24 }),
              ...(above ? [p(`- ${above} (để báo cáo),`, { size: 22 })] : []),
              p(`- Các chi bộ trực thuộc ${withoutNote(unitName)},`, { size: 22 }),
              p(`- Lưu Văn phòng ${s.issuerBody === 'ĐẢNG ỦY' ? 'Đảng ủy' : 'chi bộ'}.`, { size: 22 }),
            ],
          }),
          new TableCell({
            borders: NO_BORDERS,
            width: { size: 55, type: WidthType.PERCENTAGE },
            children: [
              p(`T/M ${s.issuerBody}`, { bold: true }, true),
              p(s.signerTitle ?? 'BÍ THƯ', { bold: true }, true),
              p(''),
              p(''),
              p(''),
              p(s.signerName ?? '', { bold: true }, true),
            ],
          }),
        ],
      }),
    ],
  });
}

/** A reason as the middle of a sentence: without its own closing full stop. */
const reasonOf = (reason: string | null) => reason?.replace(/[.\s]+$/, '') || 'chưa ghi lý do';
