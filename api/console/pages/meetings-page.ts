import { KIND_LABELS } from '../../meetings/schedule-meeting.ts';
import { ROLL_ABSENCE_REASONS } from '../../meetings/record-roll.ts';
import type { getMeetingsMonth } from '../get-meetings-month.ts';
import type { getMeetingRecord } from '../get-meeting-record.ts';
import { partBar } from './charts.ts';
import { csrfField, dateTime, h, notice, page, type RefusedForm, refusedNotice, typedInto } from './html.ts';
import { COUNT_SCRIPT, motionsSection, stepsSection } from './meeting-motions.ts';

type Month = Awaited<ReturnType<typeof getMeetingsMonth>>;
type Record_ = Awaited<ReturnType<typeof getMeetingRecord>>;

const MODE = { in_person: 'Trực tiếp', online: 'Trực tuyến', hybrid: 'Kết hợp' } as Record<string, string>;
const yes = (b: boolean) => (b ? '<span class="ok">Có</span>' : '<span class="warn">Chưa</span>');

/** A console page's frame, and the form it shows again as typed when that form was refused. */
interface PageOptions {
  who: string;
  csrf: string;
  message?: string;
  refused?: RefusedForm;
}

export function meetingsMonthPage(m: Month, opts: PageOptions): string {
  const total = m.meetings.length;
  const cells = m.cells.filter((c) => !c.excluded);
  const notMet = cells.filter((c) => c.meetings === 0);
  const excluded = m.cells.filter((c) => c.excluded);
  const kinds = Object.entries(m.byKind)
    .map(([k, n]) => `${KIND_LABELS[k as keyof typeof KIND_LABELS] ?? h(k)}: ${n}`)
    .join('; ');
  const body = `
<p class="crumbs"><a href="/console/units/${m.unit.id}">${h(m.unit.name)}</a> › Sinh hoạt chi bộ</p>
<h1>Sinh hoạt chi bộ tháng ${h(m.month.slice(5))}/${h(m.month.slice(0, 4))}</h1>
${notice(opts.message)}${refusedNotice(opts.refused)}
<form method="get" class="noprint row">
<div><label for="month">Tháng</label><select id="month" name="month">${monthOptions(m.month)}</select></div>
<div><button type="submit">Xem</button></div></form>
<div class="cards">
 <div class="card">Buổi đã họp<b>${total}</b>
<span class="muted">${m.cellsWithMeeting}/${cells.length} chi bộ</span></div>
 <div class="card">Chi bộ chưa họp<b>${notMet.length}</b></div>
 <div class="card">Đủ cả 3 phần<b>${m.complete}/${total}</b></div>
 <div class="card">Hình thức<b style="font-size:1em">Trực tiếp ${m.modes.in_person ?? 0}
 · Kết hợp ${m.modes.hybrid ?? 0} · Trực tuyến ${m.modes.online ?? 0}</b>
  <span class="muted">kết hợp: họp tại phòng, đồng chí được phép dự trực tuyến</span></div>
 <div class="card">Loại buổi họp<b style="font-size:1em">${kinds || '—'}</b></div>
 <div class="card">Xếp loại (phiếu)\
<b style="font-size:1em">${m.ratings.map((r) => `${h(r.level)}: ${r.count}`).join('; ') || '—'}</b></div>
</div>
${partBar('Buổi họp đủ 3 phần trên tổng số buổi', [
  { label: 'Đủ 3 phần', value: m.complete, color: '#2e7d32' },
  { label: 'Chưa đủ', value: total - m.complete, color: '#c0392b' },
])}
<p class="muted">Phần 1: tài liệu gửi trước ít nhất 1 ngày.\
 Phần 2: điểm danh, đánh giá, biểu quyết thông qua nghị quyết.\
 Phần 3: nghị quyết đăng và giao nhiệm vụ.</p>
<p class="noprint">Tải bảng: <a href="/console/units/${m.unit.id}/meetings.xlsx?month=${h(m.month)}">XLSX</a> ·\
 <a href="/console/units/${m.unit.id}/meetings.csv?month=${h(m.month)}">CSV</a></p>
<table><thead><tr><th scope="col">Chi bộ</th><th scope="col">Ngày</th>
<th scope="col">Loại</th><th scope="col">Hình thức</th>
<th scope="col">Phần 1</th><th scope="col">Phần 2</th><th scope="col">Phần 3</th><th scope="col">Ghi chú</th>
</tr></thead><tbody>
${m.meetings
  .map(
    (r) => `<tr><td>${h(r.cellName)}</td><td><a href="/console/meetings/${r.meetingId}">${dateTime(r.startsAt)}</a></td>
<td>${KIND_LABELS[r.kind as keyof typeof KIND_LABELS] ?? h(r.kind)}</td><td>${MODE[r.mode] ?? h(r.mode)}</td>
<td>${yes(r.part1)}</td><td>${yes(r.part2)}</td><td>${yes(r.part3)}</td><td>${missingParts(r)}</td></tr>`,
  )
  .join('')}
${notMet
  .map(
    (c) => `<tr><td>${h(c.cellName)}</td><td colspan="6">—</td>
<td class="warn">Chưa có buổi sinh hoạt nào được đóng trên nền tảng trong tháng</td></tr>`,
  )
  .join('')}
</tbody></table>
${
  excluded.length
    ? `<p class="muted">Không tính: ${excluded
        .map((c) => `${h(c.cellName)} (${h(c.reason?.replace(/[.\s]+$/, '') || 'không triển khai')})`)
        .join('; ')}.</p>`
    : ''
}
${m.isCell ? pendingSection(m, opts.csrf, opts.refused) : ''}`;
  return page({ title: 'Sinh hoạt chi bộ', who: opts.who, csrf: opts.csrf }, body);
}

/** Why a meeting is not complete: the parts it lacks, each said in a few words. */
function missingParts(r: { part1: boolean; part2: boolean; part3: boolean }): string {
  const lacks = [
    r.part1 ? '' : 'phần 1: tài liệu chưa gửi trước ít nhất 1 ngày',
    r.part2 ? '' : 'phần 2: thiếu điểm danh, đánh giá hoặc biểu quyết thông qua nghị quyết',
    r.part3 ? '' : 'phần 3: nghị quyết chưa đăng hoặc chưa giao nhiệm vụ',
  ].filter(Boolean);
  return lacks.length ? `Thiếu ${lacks.map(h).join('; ')}` : '';
}

/** The twelve months up to the one shown (and the one shown), newest first, as "tháng 11/2026". */
function monthOptions(current: string): string {
  const [y, m] = current.split('-').map(Number);
  return Array.from({ length: 13 }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - i + 1, 1));
    const v = d.toISOString().slice(0, 7);
    return `<option value="${v}"${v === current ? ' selected' : ''}>tháng ${v.slice(5)}/${v.slice(0, 4)}</option>`;
  }).join('');
}

function pendingSection(m: Month, csrf: string, refused?: RefusedForm): string {
  const action = `/console/units/${m.unit.id}/meetings`;
  const t = typedInto(refused, action);
  const list = m.pending.length
    ? `<ul>${m.pending
        .map(
          (p) =>
            `<li><a href="/console/meetings/${p.id}">${dateTime(p.startsAt)} — ` +
            `${KIND_LABELS[p.kind as keyof typeof KIND_LABELS] ?? h(p.kind)}${p.topic ? `: ${h(p.topic)}` : ''}</a> ` +
            `(${p.status === 'in_progress' ? 'đang họp' : 'đã lên lịch'})</li>`,
        )
        .join('')}</ul>`
    : '<p>Chưa có buổi họp nào sắp tới.</p>';
  const form = m.canRun
    ? `<form method="post" action="${action}" class="noprint">${csrfField(csrf)}
<fieldset><legend>Lên lịch buổi sinh hoạt</legend>${t.error}
<div class="row"><div><label for="kind">Loại</label><select id="kind" name="kind">
${t.option('kind', 'regular', 'Thường kỳ')}${t.option('kind', 'thematic', 'Chuyên đề')}\
${t.option('kind', 'combined', 'Thường kỳ kết hợp chuyên đề')}</select></div>
<div><label for="startsAt">Thời gian (giờ Việt Nam)</label>\
<input id="startsAt" name="startsAt" required inputmode="numeric" placeholder="05/12/2026 19:30" size="17"\
 aria-describedby="startsAt-hint"${t.value('startsAt')}><br>\
<span class="muted" id="startsAt-hint">ngày/tháng/năm giờ:phút</span></div>
<div><label for="mode">Hình thức</label><select id="mode" name="mode">
${t.option('mode', 'in_person', 'Trực tiếp')}${t.option('mode', 'online', 'Trực tuyến')}\
${t.option('mode', 'hybrid', 'Kết hợp')}</select></div></div>
<label for="topic">Chủ đề (bắt buộc với chuyên đề)</label>\
<input id="topic" name="topic" maxlength="300" style="width:100%"${t.value('topic')}>
<label for="place">Địa điểm</label><input id="place" name="place" maxlength="300" style="width:100%"${t.value('place')}>
<label for="agenda">Nội dung họp (mỗi mục một dòng)</label>\
<textarea id="agenda" name="agenda" maxlength="9000">${h(t.one('agenda'))}</textarea>
<p><button type="submit">Lên lịch và báo cho đảng viên</button></p></fieldset></form>`
    : '';
  return `<h2>Buổi họp sắp tới và đang diễn ra</h2>${list}${form}`;
}

export function meetingRecordPage(r: Record_, opts: PageOptions): string {
  const m = r.meeting;
  const documentForm = typedInto(opts.refused, `/console/meetings/${m.id}/documents`);
  const resolutionForm = typedInto(opts.refused, `/console/meetings/${m.id}/resolution`);
  const a = r.attendance;
  const csrf = csrfField(opts.csrf);
  const run = r.canRun;
  // Closing early (too few votes for the base, or before the minimum duration) needs an explicit
  // confirmation, which the use case records in the audit log.
  const CONFIRM =
    '<label style="margin-right:.5em"><input type="checkbox" name="confirm" value="1"> Xác nhận kết thúc sớm</label>';
  // Opening more than an hour before the scheduled time needs the same kind of confirmation.
  const EARLY =
    '<label style="margin-right:.5em"><input type="checkbox" name="confirm" value="1"> Xác nhận bắt đầu sớm</label>';
  const act = (path: string, label: string, fields = '') =>
    `<form method="post" action="/console/meetings/${m.id}/${path}" class="noprint" style="display:inline">` +
    `${csrf}${fields}<button type="submit">${h(label)}</button></form>`;
  const status = { scheduled: 'Đã lên lịch', in_progress: 'Đang họp', closed: 'Đã kết thúc' }[m.status];
  const body = `
<p class="crumbs"><a href="/console/units/${r.cell.id}">${h(r.cell.name)}</a> ›\
 <a href="/console/units/${r.cell.id}/meetings">Sinh hoạt chi bộ</a></p>
<h1>${h(sentenceCase(KIND_LABELS[m.kind]))}${m.topic ? `: ${h(m.topic)}` : ''}</h1>
${notice(opts.message)}${refusedNotice(opts.refused)}
<p>${dateTime(m.startsAt)} · ${h(m.place ?? '')} · ${status}${
    m.status === 'in_progress' && m.checkinCode && run
      ? ` · Mã điểm danh tại phòng: <strong>${h(m.checkinCode)}</strong>`
      : ''
  }</p>
<p class="noprint">Biên bản: <a href="/console/meetings/${m.id}/minutes.docx">DOCX</a> ·\
 <a href="/console/meetings/${m.id}/minutes.pdf">PDF</a></p>
${run && m.status === 'scheduled' ? act('open', 'Bắt đầu buổi họp (mở điểm danh)', EARLY) : ''}
${run && m.status === 'in_progress' ? act('close', 'Kết thúc buổi họp', CONFIRM) : ''}
<h2 id="diem-danh">Điểm danh và số lượng cần thiết</h2>
<p role="status">\
<strong class="${a.quorum.reached ? 'ok' : 'warn'}">${a.quorum.reached ? 'Đủ' : 'Chưa đủ'} số lượng:</strong>\
 ${h(a.quorum.explanation)}</p>
${rollTable(r, csrf, Boolean(run && m.status === 'in_progress'))}
${motionsSection(r, opts.csrf, opts.refused)}
${stepsSection(r, opts.csrf, opts.refused)}
<h2>Tài liệu</h2>
${
  r.documents.length
    ? `<ul>${r.documents
        .map((d) => `<li>${h(d.title)} — gửi ${dateTime(d.sentAt)}, ${d.opens} lượt mở</li>`)
        .join('')}</ul>`
    : '<p>Chưa có tài liệu.</p>'
}
${
  run && m.status !== 'closed'
    ? `<form method="post" action="/console/meetings/${m.id}/documents" class="noprint">${csrf}\
<fieldset><legend>Gửi tài liệu cho đảng viên</legend>${documentForm.error}
<label for="dtitle">Tên tài liệu</label>\
<input id="dtitle" name="title" required maxlength="300" style="width:100%"${documentForm.value('title')}>
<label for="dbody">Nội dung</label><textarea id="dbody" name="body" maxlength="200000">\
${h(documentForm.one('body'))}</textarea>
<p><button type="submit">Gửi tài liệu</button></p></fieldset></form>`
    : ''
}
<h2>Nghị quyết và nhiệm vụ</h2>
${
  r.resolution
    ? `<div style="white-space:pre-wrap">${h(r.resolution.body)}</div>` +
      `<p class="muted">Đăng lúc ${dateTime(r.resolution.publishedAt)}</p>`
    : '<p>Chưa đăng nghị quyết.</p>'
}
${
  r.tasks.length
    ? `<ul>${r.tasks
        .map(
          (t) =>
            `<li>${h(t.title)} — ${h(t.assignee)}, hạn ${h(t.dueOn)} ` +
            `(${t.status === 'done' ? 'đã xong' : 'đang làm'})</li>`,
        )
        .join('')}</ul>`
    : ''
}
${
  run && r.motions.some((v) => v.kind === 'resolution' && v.result?.passed)
    ? `<form method="post" action="/console/meetings/${m.id}/resolution" class="noprint">${csrf}\
<fieldset><legend>Đăng nghị quyết và giao nhiệm vụ</legend>${resolutionForm.error}
<label for="rbody">Nội dung nghị quyết</label><textarea id="rbody" name="body" required maxlength="50000">\
${h(resolutionForm.one('body'))}</textarea>
<div class="row"><div><label for="tassignee">Giao cho</label><select id="tassignee" name="assigneeMemberId">\
${a.roll.map((p) => resolutionForm.option('assigneeMemberId', String(p.memberId), p.fullName)).join('')}</select></div>
<div style="flex:1"><label for="ttitle">Nhiệm vụ</label>\
<input id="ttitle" name="taskTitle" maxlength="500" style="width:100%"${resolutionForm.value('taskTitle')}></div>
<div><label for="tdue">Hạn (ngày/tháng/năm)</label>\
<input id="tdue" name="dueOn" inputmode="numeric" placeholder="31/12/2026" size="11"${resolutionForm.value('dueOn')}>\
</div></div>
<p><button type="submit">Đăng nghị quyết</button></p></fieldset></form>`
    : ''
}
<h2>Đánh giá của đảng viên</h2>
${
  r.ratings.length
    ? `<ul>${r.ratings.map((x) => `<li>${h(x.level)}: ${x.count}</li>`).join('')}</ul>`
    : '<p>Chưa có.</p>'
}`;
  return page({ title: 'Buổi sinh hoạt', who: opts.who, csrf: opts.csrf, script: COUNT_SCRIPT }, body);
}

/** Reasons the roll form offers for a member who is away (values of ROLL_ABSENCE_REASONS). */
const ROLL_REASONS: [string, string][] = [
  ['', '— chưa rõ —'],
  ['trip', 'Đi công tác (có lý do)'],
  ['ill', 'Ốm, đau (có lý do)'],
  ['family', 'Việc gia đình (có lý do)'],
  ['none', 'Vắng không lý do'],
];

/**
 * The roll. While the meeting runs, one form: a checkbox per member not yet present (the
 * secretary herself too), named with the member's name so a screen reader tells them apart,
 * and a reason for those away — saved once, back at this table rather than the top of the page.
 */
function rollTable(r: Record_, csrf: string, editable: boolean): string {
  const a = r.attendance;
  const rows = a.roll
    .map((p) => {
      const present = p.present ? `<span class="ok">Có mặt</span> ${dateTime(p.checkedInAt)}` : 'Vắng';
      const notes = `${h(p.absenceReason ?? '')}${p.exempt ? ' Miễn sinh hoạt.' : ''}\
${p.transferredIn ? ' Sinh hoạt tạm thời.' : ''}`;
      if (!editable || p.present)
        return `<tr><td>${h(p.fullName)}</td><td>${present}</td><td data-label="Ghi chú">${notes}</td>\
${editable ? '<td></td><td></td>' : ''}</tr>`;
      const id = p.memberId;
      return `<tr><td>${h(p.fullName)}</td><td>${present}</td><td data-label="Ghi chú">${notes}</td>
<td><label class="tick"><input type="checkbox" name="present" value="${id}" aria-label="Có mặt: ${h(p.fullName)}">\
 Có mặt</label></td>
<td data-label="Nếu vắng"><input type="hidden" name="absentId" value="${id}">\
<select name="reason" aria-label="Lý do vắng: ${h(p.fullName)}">\
${ROLL_REASONS.map(([v, label]) => {
  // The reason saved earlier stays chosen: the roll saved again does not look as if it were lost.
  const saved = v !== '' && ROLL_ABSENCE_REASONS[v]?.text === p.absenceReason;
  return `<option value="${v}"${saved ? ' selected' : ''}>${h(label)}</option>`;
}).join('')}</select></td></tr>`;
    })
    .join('');
  // On a phone the form's five columns do not fit: each member becomes a block (html.ts, table.stack).
  const head = `<table${editable ? ' class="stack"' : ''}><thead><tr><th scope="col">Đảng viên</th>\
<th scope="col">Có mặt</th>\
<th scope="col">Ghi chú</th>${editable ? '<th scope="col">Đánh dấu có mặt</th><th scope="col">Nếu vắng</th>' : ''}\
</tr></thead><tbody>${rows}</tbody></table>`;
  if (!editable) return head;
  return `<form method="post" action="/console/meetings/${r.meeting.id}/roll" class="noprint">${csrf}
${head}
<p><button type="submit">Lưu điểm danh</button> <span class="muted">Đánh dấu nhiều đồng chí rồi lưu một lần.</span></p>
</form>`;
}

/** A label written mid-sentence ("sinh hoạt thường kỳ") as a heading starts: with a capital. */
function sentenceCase(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}
