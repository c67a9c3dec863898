import { AlignmentType, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import type { Deps } from '../context.ts';
import { recordExport } from '../audit/record-audit.ts';
import type { Principal } from '../auth/principal.ts';
import { findUnits } from './repository.ts';
import { getUnitDashboard } from './get-unit-dashboard.ts';
import { getMeetingsMonth } from './get-meetings-month.ts';
import { NO_BORDERS, partyDocumentHeader, partyHeaderTable } from '../text/party-header.ts';

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toLocaleString('vi-VN')} %`;

/**
 * A "Báo cáo sơ kết" section for a month, laid out as a party document (Hướng dẫn
 * 36-HD/VPTW, rules.md §9): the header with the body above and the issuing body, the
 * national party line and place-date, the title, the figures by unit and the units below
 * target named, the excluded units with their reason, the meetings' three parts.
 */
export async function buildProgressReport(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  month: string,
): Promise<{ data: Buffer; filename: string }> {
  const d = await getUnitDashboard(deps, actor, orgId);
  const meetings = await getMeetingsMonth(deps, actor, orgId, month);
  await recordExport(deps.db, { actor, orgId: d.unit.id, what: 'report', format: 'docx', at: deps.clock.now() });
  const [parent] = d.unit.path.includes('.')
    ? await findUnits(deps.db, [Number(d.unit.path.split('.').at(-2))])
    : [undefined];
  const [y, mo] = month.split('-');
  const t = d.totals;
  const below = d.children.filter((c) => c.belowTarget);
  const line = (text: string, opts: { bold?: boolean; italics?: boolean; size?: number } = {}) =>
    new Paragraph({ spacing: { after: 120 }, children: [new TextRun({ text, ...opts })] });
  const centred = (text: string, opts: { bold?: boolean; italics?: boolean; size?: number } = {}) =>
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text, ...opts })] });

  const header = partyHeaderTable(
    partyDocumentHeader({
      parentName: parent?.name ?? null,
      issuerName: d.unit.name,
      number: 'Số:      -BC/',
      place: '………',
      at: deps.clock.now(),
    }),
  );

  const cell = (text: string, bold = false) =>
    new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold, size: 24 })] })] });
  const figures = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({
        tableHeader: true,
        children: ['Đơn vị', 'Đảng viên', 'Đã liên kết', 'Tỷ lệ', 'Hoạt động 30 ngày'].map((x) => cell(x, true)),
      }),
      ...d.children
        .filter((c) => !c.excluded)
        .map(
          (c) =>
            new TableRow({
              children: [
                cell(c.name),
                cell(c.members.toLocaleString('vi-VN')),
                cell(c.linked.toLocaleString('vi-VN')),
                cell(pct(c.share), c.belowTarget),
                cell(c.active.toLocaleString('vi-VN')),
              ],
            }),
        ),
    ],
  });

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
          centred(`sơ kết triển khai Sổ tay đảng viên trên các kênh chat, tháng ${mo}/${y}`, { bold: true, size: 28 }),
          new Paragraph({ text: '' }),
          line('I. KẾT QUẢ TRIỂN KHAI', { bold: true }),
          line(
            `Toàn ${d.unit.name} có ${t.members.toLocaleString('vi-VN')} đảng viên thuộc ` +
              `${t.cells} chi bộ triển khai; ` +
              `${t.linked.toLocaleString('vi-VN')} đồng chí đã liên kết tài khoản chat, đạt ${pct(t.share)} ` +
              `(Telegram ${t.telegram}, Zalo ${t.zalo}, Web ${t.web}); ` +
              `${t.active.toLocaleString('vi-VN')} đồng chí hoạt động trong 30 ngày qua.`,
          ),
          line(
            below.length
              ? `Các đơn vị dưới mục tiêu ${pct(d.target.value)}: ` +
                  `${below.map((b) => `${b.name} (${pct(b.share)})`).join('; ')}.`
              : `Tất cả đơn vị trực thuộc đạt mục tiêu ${pct(d.target.value)}.`,
          ),
          line(
            d.excluded.length
              ? `Đơn vị không tính vào số liệu: ` +
                  `${d.excluded.map((e) => `${e.name} (${e.members} đảng viên; lý do: ${e.reason ?? ''})`).join('; ')}.`
              : 'Không có đơn vị nào ngoài phạm vi số liệu.',
          ),
          line(
            `Sinh hoạt chi bộ tháng ${mo}/${y}: ${meetings.meetings.length} buổi tại ` +
              `${meetings.cellsWithMeeting} chi bộ; ` +
              `${meetings.complete}/${meetings.meetings.length} buổi thực hiện đủ 3 phần trên nền tảng.`,
          ),
          line('Số liệu theo đơn vị:', { italics: true }),
          figures,
          new Paragraph({ text: '' }),
          line('II. PHƯƠNG HƯỚNG', { bold: true }),
          line(
            'Các đơn vị dưới mục tiêu rà soát danh sách đảng viên chưa liên kết và hướng dẫn cài đặt trong tháng tới.',
          ),
          new Paragraph({ text: '' }),
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            borders: NO_BORDERS,
            rows: [
              new TableRow({
                children: [
                  new TableCell({
                    borders: NO_BORDERS,
                    children: [
                      line('Nơi nhận:', { bold: true, italics: true, size: 24 }),
                      line(`- ${parent?.name ?? 'Cấp ủy cấp trên'},`, { size: 22 }),
                      line('- Lưu Văn phòng.', { size: 22 }),
                    ],
                  }),
                  new TableCell({
                    borders: NO_BORDERS,
                    children: [
                      centred(`T/M ${d.unit.name.toUpperCase()}`, { bold: true }),
                      centred('(ký, ghi rõ họ tên)', { italics: true }),
                    ],
                  }),
                ],
              }),
            ],
          }),
        ],
      },
    ],
  });
  return { data: Buffer.from(await Packer.toBuffer(doc)), filename: `bao-cao-so-ket-${d.unit.id}-${month}.docx` };
}
