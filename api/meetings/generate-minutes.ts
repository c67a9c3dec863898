/**
 * The minutes (biên bản) as a DOCX written from what happened, so the paper copy that is
 * signed is the system's copy. Corrections are appended as amendments, never edits.
 */
import { createRequire } from 'node:module';
import { AlignmentType, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import PDFDocument from 'pdfkit';
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { requireMeeting } from './require-meeting.ts';
import { loadMinutes, type MinutesData } from './load-minutes.ts';
import { formatVietnamDateTime } from '../text/vietnam-time.ts';
import { KIND_LABELS, MODE_LABELS } from './vocabulary.ts';
import type { RollRow } from './repository.ts';
import { choiceLabel, motionChoices, type Motion } from './motions.ts';
import { electionLines } from './close-motion.ts';
import { VOTE_KIND_LABELS } from './open-motion.ts';
import {
  documentNumber,
  NO_BORDERS,
  type PartyHeader,
  partyDocumentHeader,
  partyHeaderTable,
} from '../text/party-header.ts';

export async function generateMinutes(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  meetingId: number,
  format: 'docx' | 'pdf',
): Promise<Buffer> {
  await requireMeeting(deps.db, actor, meetingId, { role: CAN.readOrg });
  const data = await loadMinutes(deps.db, meetingId);
  const doc = minutesDocument(data);
  const title = `Biên bản ${data.cellName}`;
  return format === 'docx' ? renderDocx(doc, title) : renderPdf(doc, title);
}

export async function amendMinutes(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  meetingId: number,
  body: string,
) {
  if (!body.trim()) throw new AppError('validation', 'Nội dung đính chính không được để trống.', { field: 'body' });
  await deps.db.tx(async (sql) => {
    await requireMeeting(sql, actor, meetingId, { role: CAN.runMeetings });
    await sql.query(
      `insert into minutes_amendments (meeting_id, body, author_principal_id, created_at) values ($1, $2, $3, $4)`,
      [meetingId, body.trim(), actor.id, deps.clock.now()],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'minutes.amended',
      subjectType: 'meeting',
      subjectId: meetingId,
      at: deps.clock.now(),
    });
  });
}

export interface Line {
  text: string;
  heading?: boolean;
}

/**
 * The minutes in the party's document form (HD 36-HD/VPTW 2018; rules.md §9): header with the
 * body above and the issuing cell at the left, the Party's name and the place and date at the
 * right, the document type and its subject centred, then the body, then the signatures.
 */
export interface MinutesDocument extends PartyHeader {
  title: string;
  subject: string;
  body: Line[];
  signatures: { role: string; name: string }[];
}

/** The header of a party document issued by the cell (HD 36), dated the day of the meeting, placed at its locality. */
export function partyHeader(d: Pick<MinutesData, 'meeting' | 'parentName' | 'cellName' | 'locality'>): PartyHeader {
  return partyDocumentHeader({
    parentName: d.parentName,
    issuerName: d.cellName,
    number: documentNumber(null, 'BB', 'CB'),
    place: d.locality,
    at: d.meeting.openedAt ?? d.meeting.startsAt,
  });
}

export function minutesDocument(d: MinutesData): MinutesDocument {
  const m = d.meeting;
  const held = vnParts(m.openedAt ?? m.startsAt);
  return {
    ...partyHeader(d),
    title: 'BIÊN BẢN',
    subject: `${KIND_LABELS[m.kind].replace('sinh hoạt', 'sinh hoạt chi bộ')} tháng ${Number(held.month)}/${held.year}`,
    body: minutesLines(d),
    signatures: [
      { role: 'THƯ KÝ', name: d.minuteTaker ?? '' },
      { role: 'CHỦ TRÌ', name: d.chair ?? '' },
    ],
  };
}

/** The body of the minutes as lines, every value in readable Vietnamese. */
export function minutesLines(d: MinutesData): Line[] {
  const a = d.attendance;
  const lines: Line[] = [];
  const h = (text: string) => lines.push({ text, heading: true });
  const p = (text: string) => lines.push({ text });
  const m = d.meeting;
  const names = (rows: { fullName: string }[]) => rows.map((r) => r.fullName).join(', ') || 'không';
  if (m.topic) p(`Chủ đề: ${m.topic}.`);
  p(
    `Thời gian: ` +
      `bắt đầu lúc ${formatVietnamDateTime(m.openedAt ?? m.startsAt)}` +
      `${m.closedAt ? `, kết thúc lúc ${formatVietnamDateTime(m.closedAt)}` : ''}.`,
  );
  p(`Địa điểm: ${m.place ?? 'không ghi'}. Hình thức: ${MODE_LABELS[m.mode]}.`);
  p(`Chủ trì: đồng chí ${d.chair ?? '(chưa ghi)'}. Thư ký: đồng chí ${d.minuteTaker ?? '(chưa ghi)'}.`);
  h('I. THÀNH PHẦN');
  const own = a.roll.filter((r) => !r.transferredIn);
  p(
    `Tổng số đảng viên của chi bộ: ${own.length} (chính thức ${a.voteBase.official}, ` +
      `dự bị ${own.filter((r) => r.status === 'probationary').length}); ` +
      `miễn sinh hoạt vắng mặt: ${a.exemptAbsent.length}.`,
  );
  const probationaryPresent = a.present.filter((r) => r.status === 'probationary').length;
  // An exempt member who attends is in the base and may vote; the minutes say why they are listed (rules.md §1).
  const attendee = (r: RollRow) => (r.exempt ? `${r.fullName} (miễn sinh hoạt, có mặt)` : r.fullName);
  p(
    `Có mặt ${a.present.length} đồng chí (chính thức ${a.present.length - probationaryPresent}, ` +
      `dự bị ${probationaryPresent}): ${a.present.map(attendee).join(', ') || 'không'}.`,
  );
  p(`Vắng có lý do: ${a.absentWithReason.map((r) => `${r.fullName} (${r.absenceReason})`).join('; ') || 'không'}.`);
  p(`Vắng không lý do: ${names(a.absentWithoutReason)}.`);
  if (a.exemptAbsent.length) p(`Miễn sinh hoạt, vắng mặt: ${names(a.exemptAbsent)}.`);
  if (a.guests.length) p(`Đảng viên sinh hoạt tạm thời dự họp: ${names(a.guests)}.`);
  const left = a.roll.filter((r) => r.leftAt);
  if (left.length)
    p(`Rời họp sớm: ${left.map((r) => `${r.fullName} (${formatVietnamDateTime(r.leftAt!)})`).join('; ')}.`);
  p(
    `${a.voteBase.explanation} đảng viên được triệu tập. ` +
      `Điều kiện tiến hành: ${a.quorum.reached ? 'đủ' : 'không đủ'} (${a.presentInBase}/${a.voteBase.base} có mặt, ` +
      `cần ${a.quorum.rule}, tối thiểu ${a.quorum.required}${a.quorum.note ? `; ${a.quorum.note}` : ''}).`,
  );
  h('II. NỘI DUNG');
  for (const item of d.agenda) {
    p(`${item.position}. ${item.title}`);
    for (const o of item.opinions) p(`   – Đồng chí ${o.name}: ${o.body}`);
  }
  if (d.generalOpinions.length) p('Ý kiến khác:');
  for (const o of d.generalOpinions) p(`   – Đồng chí ${o.name}: ${o.body}`);
  h('III. BIỂU QUYẾT');
  if (!d.motions.length) p('Không có nội dung biểu quyết.');
  for (const [i, mo] of d.motions.entries()) p(`${i + 1}. ${motionLine(mo)}`);
  if (d.resolution) {
    h('IV. NGHỊ QUYẾT');
    p(d.resolution);
  }
  if (d.tasks.length) {
    h('V. PHÂN CÔNG NHIỆM VỤ');
    for (const t of d.tasks) p(`– Đồng chí ${t.assignee}: ${t.title} (hạn ${t.dueOn.split('-').reverse().join('/')}).`);
  }
  if (d.ratings.length)
    p(
      `Đánh giá chất lượng buổi sinh hoạt: ` +
        `${d.ratings.map((r) => `${d.ratingLabels[r.level] ?? r.level} ${r.n} ý kiến`).join(', ')}.`,
    );
  if (d.amendments.length) {
    h('ĐÍNH CHÍNH SAU BUỔI HỌP');
    for (const am of d.amendments)
      p(`– ${formatVietnamDateTime(am.at)}${am.author ? `, ${am.author}` : ''}: ${am.body}`);
  }
  p(m.closedAt ? `Buổi sinh hoạt kết thúc lúc ${formatVietnamDateTime(m.closedAt)}.` : 'Buổi sinh hoạt chưa kết thúc.');
  p(
    d.approvedAt
      ? `Biên bản đã được đọc lại và thông qua lúc ${formatVietnamDateTime(d.approvedAt)}.`
      : 'Biên bản chưa được đọc lại và thông qua.',
  );
  return lines;
}

function motionLine(mo: Motion): string {
  const head =
    `${VOTE_KIND_LABELS[mo.kind]} — ${mo.title} ` +
    `(${mo.ballot === 'secret' ? 'bỏ phiếu kín' : 'biểu quyết công khai'})`;
  const r = mo.result;
  if (!r) return `${head}: chưa kết thúc.`;
  const counts =
    mo.kind === 'discipline' && r.counts
      ? `${motionChoices(mo)
          .map((c) => `${choiceLabel(c).toLowerCase()} ${r.counts?.[c] ?? 0}`)
          .join(', ')}. ${r.explanation ?? ''}`
      : `tán thành ${r.for}, không tán thành ${r.against}, không biểu quyết ${r.abstain}.`;
  if (r.election) return `${head}: ${electionLines(r.election).replaceAll('\n', ' ')}`;
  const room = r.roomBallots ? ` Số phiếu: ${r.chatBallots} qua chat + ${r.roomBallots} tại phòng họp.` : '';
  return (
    `${head}: ${counts}${room} ${r.baseExplanation}; ` +
    `cần ${r.threshold} của ${r.base} (tối thiểu ${r.needed}) → ${r.passed ? 'thông qua' : 'không thông qua'}.`
  );
}

function vnParts(at: Date) {
  const d = new Date(at.getTime() + 7 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { day: pad(d.getUTCDate()), month: pad(d.getUTCMonth() + 1), year: d.getUTCFullYear() };
}

/** Two columns without borders: the signatures of a party document. */
function twoColumns(left: Paragraph[], right: Paragraph[]): Table {
  const cell = (children: Paragraph[]) =>
    new TableCell({ children, borders: NO_BORDERS, width: { size: 50, type: WidthType.PERCENTAGE } });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: NO_BORDERS,
    rows: [new TableRow({ children: [cell(left), cell(right)] })],
  });
}

const centred = (text: string, run: { bold?: boolean; italics?: boolean; size?: number } = {}) =>
  new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text, ...run })] });

export async function renderDocx(m: MinutesDocument, title: string): Promise<Buffer> {
  // HD 36: Times New Roman; Party name 15 pt bold, body above 14 pt, type 15–16 pt, body 14 pt.
  const doc = new Document({
    creator: 'Sổ tay Đảng viên',
    title,
    styles: { default: { document: { run: { font: 'Times New Roman', size: 28 } } } },
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 } } },
        children: [
          partyHeaderTable(m),
          new Paragraph({ text: '' }),
          centred(m.title, { bold: true, size: 32 }),
          centred(m.subject, { bold: true }),
          new Paragraph({ text: '' }),
          ...m.body.map((l) =>
            l.heading
              ? new Paragraph({ children: [new TextRun({ text: l.text, bold: true })] })
              : new Paragraph({ alignment: AlignmentType.JUSTIFIED, children: [new TextRun(l.text)] }),
          ),
          new Paragraph({ text: '' }),
          twoColumns(
            ...(m.signatures.map((s) => [
              centred(s.role, { bold: true }),
              centred('(Ký, ghi rõ họ tên)', { italics: true }),
              new Paragraph({ text: '' }),
              new Paragraph({ text: '' }),
              centred(s.name, { bold: true }),
            ]) as [Paragraph[], Paragraph[]]),
          ),
        ],
      },
    ],
  });
  return Buffer.from(await Packer.toBuffer(doc));
}

// Tinos: metrically Times New Roman, the party's usual face (HD 36), with every Vietnamese glyph
// (the PDF standard fonts have none of the stacked diacritics). Whole TTF files from the npm
// package of Google Fonts' Tinos (SIL OFL): pdfkit embeds one font file per run, so the
// per-script WOFF subsets of @fontsource/tinos would split every Vietnamese word.
const require = createRequire(import.meta.url);
const FONT = require.resolve('@expo-google-fonts/tinos/400Regular/Tinos_400Regular.ttf');
const FONT_BOLD = require.resolve('@expo-google-fonts/tinos/700Bold/Tinos_700Bold.ttf');
const FONT_ITALIC = require.resolve('@expo-google-fonts/tinos/400Regular_Italic/Tinos_400Regular_Italic.ttf');

export function renderPdf(m: MinutesDocument, title: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margins: { top: 56, bottom: 56, left: 85, right: 56 },
      info: { Title: title },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('body', FONT).registerFont('bold', FONT_BOLD).registerFont('italic', FONT_ITALIC);
    const width = doc.page.width - 85 - 56;
    const half = width / 2;
    const column = (
      lines: { text: string; bold?: boolean; italic?: boolean; rule?: boolean }[],
      x: number,
      y: number,
    ) => {
      doc.y = y;
      for (const l of lines) {
        doc
          .font(l.bold ? 'bold' : l.italic ? 'italic' : 'body')
          .fontSize(l.bold ? 12.5 : 11.5)
          .text(l.text, x, doc.y, { width: half, align: 'center' });
        // HD 36: a rule beneath the Party's name, as long as the line of text.
        if (l.rule) {
          const w = doc.widthOfString(l.text);
          const ruleY = doc.y + 1;
          doc
            .moveTo(x + (half - w) / 2, ruleY)
            .lineTo(x + (half + w) / 2, ruleY)
            .lineWidth(0.6)
            .stroke();
          doc.y = ruleY + 3;
        }
      }
      return doc.y;
    };
    const top = doc.y;
    const bottom = Math.max(column(m.headerLeft, 85, top), column(m.headerRight, 85 + half, top));
    doc.x = 85;
    doc.y = bottom + 18;
    doc.font('bold').fontSize(15).text(m.title, 85, doc.y, { width, align: 'center' });
    doc.font('bold').fontSize(12.5).text(m.subject, { width, align: 'center' }).moveDown();
    for (const l of m.body) {
      if (l.heading) doc.moveDown(0.4).font('bold').fontSize(12).text(l.text, { width });
      else doc.font('body').fontSize(11.5).text(l.text, { width, align: 'justify' });
    }
    doc.moveDown(1.5);
    // The signatures, titles and names side by side, are never split across pages.
    const block = (s: { role: string; name: string }) => [
      { text: s.role, bold: true },
      { text: '(Ký, ghi rõ họ tên)', italic: true },
      { text: ' ' },
      { text: ' ' },
      { text: ' ' },
      { text: s.name || ' ', bold: true },
    ];
    const lineHeight = doc.font('bold').fontSize(12.5).currentLineHeight(true);
    const needed = (block(m.signatures[0]).length + 1) * lineHeight;
    if (doc.y + needed > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const signTop = doc.y;
    for (const [i, s] of m.signatures.entries()) column(block(s), 85 + i * half, signTop);
    doc.end();
  });
}
