/**
 * The minutes (biên bản) as a DOCX written from what happened, so the paper copy that is
 * signed is the system's copy. Corrections are appended as amendments, never edits.
 */
import { createRequire } from 'node:module';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import PDFDocument from 'pdfkit';
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { requireMeeting } from './require-meeting.ts';
import { loadMinutes, type MinutesData } from './load-minutes.ts';
import { formatVnDateTime } from './meeting-date.ts';
import { KIND_LABELS } from './schedule-meeting.ts';
import { VOTE_KIND_LABELS } from './open-motion.ts';

export async function generateMinutes(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  meetingId: number,
  format: 'docx' | 'pdf',
): Promise<Buffer> {
  await requireMeeting(deps.db, actor, meetingId, { role: CAN.readOrg });
  const data = await loadMinutes(deps.db, meetingId);
  return format === 'docx' ? renderDocx(data) : renderPdf(data);
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

/** The minutes as plain lines (also what the DOCX contains, in order). */
export function minutesLines(d: MinutesData): { text: string; heading?: boolean }[] {
  const a = d.attendance;
  const lines: { text: string; heading?: boolean }[] = [];
  const h = (text: string) => lines.push({ text, heading: true });
  const p = (text: string) => lines.push({ text });
  h(`BIÊN BẢN ${KIND_LABELS[d.meeting.kind].toUpperCase()}`);
  p(`${d.cellName}${d.meeting.topic ? ` — chủ đề: ${d.meeting.topic}` : ''}`);
  p(
    `Thời gian: ${formatVnDateTime(d.meeting.openedAt ?? d.meeting.startsAt)}${d.meeting.closedAt ? `, kết thúc ${formatVnDateTime(d.meeting.closedAt)}` : ''}. Địa điểm: ${d.meeting.place ?? '—'}. Hình thức: ${{ in_person: 'trực tiếp', online: 'trực tuyến', hybrid: 'trực tiếp kết hợp trực tuyến' }[d.meeting.mode]}.`,
  );
  h('I. Thành phần');
  p(
    `Tổng số đảng viên: ${a.roll.filter((r) => !r.transferredIn).length} (chính thức ${a.voteBase.official}, dự bị ${a.roll.filter((r) => r.status === 'probationary' && !r.transferredIn).length}); miễn sinh hoạt vắng: ${a.exemptAbsent.length}.`,
  );
  p(
    `Có mặt: ${a.present.length}. ${a.voteBase.explanation}. Đủ điều kiện tiến hành: ${a.quorum.reached ? 'có' : 'không'} (${a.quorum.explanation}).`,
  );
  p(`Vắng có lý do: ${a.absentWithReason.map((r) => `${r.fullName} (${r.absenceReason})`).join('; ') || 'không'}.`);
  p(`Vắng không lý do: ${a.absentWithoutReason.map((r) => r.fullName).join('; ') || 'không'}.`);
  if (a.guests.length) p(`Sinh hoạt tạm thời: ${a.guests.map((r) => r.fullName).join('; ')}.`);
  const late = a.roll.filter((r) => r.leftAt);
  if (late.length) p(`Rời họp sớm: ${late.map((r) => `${r.fullName} (${formatVnDateTime(r.leftAt!)})`).join('; ')}.`);
  h('II. Nội dung');
  for (const item of d.agenda) {
    p(`${item.position}. ${item.title}`);
    for (const o of item.opinions) p(`   – Đồng chí ${o.name}: ${o.body}`);
  }
  for (const o of d.generalOpinions) p(`   – Đồng chí ${o.name}: ${o.body}`);
  h('III. Biểu quyết');
  for (const m of d.motions) {
    const r = m.result;
    p(
      `${VOTE_KIND_LABELS[m.kind]} — ${m.title} (${m.ballot === 'secret' ? 'bỏ phiếu kín' : 'biểu quyết công khai'}): ` +
        (r
          ? `tán thành ${r.for}, không tán thành ${r.against}, không biểu quyết ${r.abstain}; cần ${r.threshold} của ${r.base} (${r.needed}) → ${r.passed ? 'thông qua' : 'không thông qua'}.`
          : 'chưa kết thúc.'),
    );
  }
  if (d.resolution) {
    h('IV. Nghị quyết');
    p(d.resolution);
  }
  if (d.tasks.length) {
    h('V. Phân công nhiệm vụ');
    for (const t of d.tasks) p(`– ${t.assignee}: ${t.title} (hạn ${t.dueOn.split('-').reverse().join('/')})`);
  }
  if (d.ratings.length)
    p(`Đánh giá chất lượng buổi sinh hoạt: ${d.ratings.map((r) => `${r.level} ${r.n}`).join(', ')}.`);
  if (d.amendments.length) {
    h('Đính chính sau buổi họp');
    for (const am of d.amendments) p(`– ${formatVnDateTime(am.at)}${am.author ? `, ${am.author}` : ''}: ${am.body}`);
  }
  p('');
  p('CHỦ TRÌ                                                THƯ KÝ');
  p('(ký, ghi rõ họ tên)                              (ký, ghi rõ họ tên)');
  return lines;
}

async function renderDocx(d: MinutesData): Promise<Buffer> {
  const doc = new Document({
    creator: 'Sổ tay Đảng viên',
    title: `Biên bản ${d.cellName}`,
    styles: { default: { document: { run: { font: 'Times New Roman', size: 26 } } } },
    sections: [
      {
        children: minutesLines(d).map((l) =>
          l.heading
            ? new Paragraph({
                heading: HeadingLevel.HEADING_2,
                alignment: l.text.startsWith('BIÊN BẢN') ? AlignmentType.CENTER : AlignmentType.LEFT,
                children: [new TextRun({ text: l.text, bold: true })],
              })
            : new Paragraph({ children: [new TextRun(l.text)] }),
        ),
      },
    ],
  });
  return Buffer.from(await Packer.toBuffer(doc));
}

// DejaVu Serif (shipped as an npm package) has every Vietnamese glyph; the PDF standard
// fonts have none of the stacked diacritics.
const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-Bold.ttf');

function renderPdf(d: MinutesData): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margins: { top: 56, bottom: 56, left: 70, right: 56 },
      info: { Title: `Biên bản ${d.cellName}` },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('body', FONT).registerFont('bold', FONT_BOLD);
    for (const l of minutesLines(d)) {
      if (l.heading)
        doc
          .moveDown(0.5)
          .font('bold')
          .fontSize(12.5)
          .text(l.text, { align: l.text.startsWith('BIÊN BẢN') ? 'center' : 'left' });
      else
        doc
          .font('body')
          .fontSize(11.5)
          .text(l.text || ' ', { align: 'left' });
    }
    doc.end();
  });
}
