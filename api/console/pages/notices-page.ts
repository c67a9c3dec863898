import type { UnreadRecipient } from '../list-notice-unread.ts';
import { KIND_LABELS, NOTICE_KINDS } from '../../notices/notice.ts';
import type { FeedbackRow, FeedbackTimesRow, NoticeListRow, UnitRow } from '../repository.ts';
import { csrfField, dateTime, h, notice, num, page, pct, type RefusedForm, refusedNotice, typedInto } from './html.ts';

const FEEDBACK_STATUS: Record<string, string> = {
  received: 'Đã nhận',
  processing: 'Đang xử lý',
  answered: 'Đã trả lời',
  closed: 'Đã đóng',
};

/** What was typed in the compose form, shown again when publishing was refused. */
/** The file types the compose form's file picker offers for attachments. */
const ATTACHMENT_TYPES =
  '.pdf,.docx,.png,.jpg,.jpeg,application/pdf,' +
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document,image/png,image/jpeg';

export interface NoticeFormValues {
  kind?: string;
  title?: string;
  body?: string;
  ackDueOn?: string;
  publishAt?: string;
  officialOnly?: string;
}

export function noticesPage(
  unit: UnitRow,
  rows: NoticeListRow[],
  opts: {
    who: string;
    csrf: string;
    canPublish: boolean;
    message?: string;
    /** Why publishing was refused; the form keeps `values` (files must be chosen again). */
    error?: string;
    values?: NoticeFormValues;
    limits: { files: number; megabytes: number };
  },
): string {
  const v = opts.values ?? {};
  const kindOptions = NOTICE_KINDS.map(
    (k) => `<option value="${k}"${v.kind === k ? ' selected' : ''}>${h(KIND_LABELS[k])}</option>`,
  ).join('');
  const form = opts.canPublish
    ? `<form method="post" action="/console/units/${unit.id}/notices"\
 enctype="multipart/form-data" class="noprint">${csrfField(opts.csrf)}
<fieldset><legend>Soạn thông báo gửi đảng viên trong đơn vị</legend>
${
  opts.error
    ? `<p class="err" role="alert">${h(opts.error)} Chưa có gì được đăng${
        opts.values ? '; hãy chọn lại tệp đính kèm' : ''
      }.</p>`
    : ''
}
<div class="row"><div><label for="nkind">Loại</label><select id="nkind" name="kind">\
${kindOptions}</select></div>
<div><label for="nack">Hạn xác nhận đã đọc (ngày/tháng/năm)</label>\
<input id="nack" name="ackDueOn" inputmode="numeric" placeholder="31/12/2026" size="11"\
 value="${h(v.ackDueOn ?? '')}"></div>
<div><label for="nat">Hẹn giờ đăng (ngày/tháng/năm giờ:phút; để trống: đăng ngay)</label>\
<input id="nat" name="publishAt" inputmode="numeric" placeholder="05/12/2026 19:30" size="17"\
 value="${h(v.publishAt ?? '')}"></div>
<div><label><input type="checkbox" name="officialOnly" value="1"${v.officialOnly ? ' checked' : ''}>\
 Chỉ đảng viên chính thức</label></div></div>
<label for="ntitle">Tiêu đề</label>\
<input id="ntitle" name="title" required maxlength="300" style="width:100%" value="${h(v.title ?? '')}">
<label for="nbody">Nội dung (chữ *nghiêng*, **đậm**; dòng bắt đầu bằng "- " là một ý trong danh sách)</label>\
<textarea id="nbody" name="body" required maxlength="50000">${h(v.body ?? '')}</textarea>
<label for="nfiles">Tệp đính kèm (PDF, DOCX, ảnh PNG/JPEG)</label>
<input id="nfiles" name="attachments" type="file" multiple aria-describedby="nfiles-hint"
 accept="${ATTACHMENT_TYPES}">
<p class="muted" id="nfiles-hint">Tối đa ${opts.limits.files} tệp, mỗi tệp ${opts.limits.megabytes} MB.\
 Đảng viên mở tệp từ đường dẫn trong tin nhắn thông báo.</p>
<p><button type="submit">Đăng thông báo</button></p></fieldset></form>`
    : '';
  return page(
    { title: 'Thông báo', who: opts.who, csrf: opts.csrf },
    `<p class="crumbs"><a href="/console/units/${unit.id}">${h(unit.name)}</a> › Thông báo</p>\
<h1>Thông báo của ${h(unit.name)} và đơn vị trực thuộc</h1>
${notice(opts.message)}${form}
<table><thead><tr><th scope="col">Tiêu đề</th><th scope="col">Đơn vị đăng</th>\
<th scope="col">Đăng lúc</th><th scope="col" class="n">Người nhận</th>\
<th scope="col" class="n">Đã đọc</th></tr></thead><tbody>
${rows
  .map(
    (n) => `<tr><td><a href="/console/notices/${n.id}">${h(n.title)}</a></td>\
<td>${h(n.orgName)}</td>\
<td>${n.publishedAt ? dateTime(n.publishedAt) : `hẹn ${dateTime(n.publishAt)}`}</td>
<td class="n">${num(n.recipients)}</td>\
<td class="n">${num(n.read)} (${pct(n.recipients ? n.read / n.recipients : 0)})</td></tr>`,
  )
  .join('')}</tbody></table>`,
  );
}

export function noticeStatsPage(
  stats: {
    noticeId: number;
    title: string;
    publishedAt: Date | null;
    totals: { recipients: number; queued: number; sent: number; failed: number; read: number };
    failures: { reason: string; n: number }[];
    units: { cellName: string; recipients: number; read: number; queued: number; sent: number; failed: number }[];
    lastReminder: { sentAt: Date; members: number; messages: number } | null;
  },
  opts: { who: string; csrf: string; message?: string; reminderGapHours: number; now: Date },
  readers: { unread: UnreadRecipient[]; withoutChat: number },
): string {
  const t = stats.totals;
  const unread = readers.unread;
  const reachable = unread.filter((u) => u.reachable).length;
  const last = stats.lastReminder;
  const next = last ? new Date(last.sentAt.getTime() + opts.reminderGapHours * 3600_000) : null;
  // The button is offered only when the reminder would be sent: published, someone unread with a
  // chat account, and the gap since the last round passed.
  const why = !stats.publishedAt
    ? 'Thông báo chưa được đăng.'
    : unread.length === 0
      ? 'Mọi đồng chí đã xác nhận đã đọc.'
      : reachable === 0
        ? 'Những đồng chí chưa đọc đều chưa liên kết tài khoản chat: tin nhắc không đến được; xin báo trực tiếp.'
        : next && next > opts.now
          ? `Mỗi thông báo chỉ nhắc lại cách nhau ít nhất ${opts.reminderGapHours} giờ; ` +
            `có thể nhắc tiếp từ ${dateTime(next)}.`
          : null;
  const remind = `<h2>Nhắc đọc</h2>
${
  last
    ? `<p>Lần nhắc gần nhất: ${dateTime(last.sentAt)} — ${num(last.members)} đồng chí chưa đọc, ` +
      `${num(last.messages)} tin nhắn đã xếp gửi.</p>`
    : '<p>Chưa nhắc lại lần nào.</p>'
}
${
  why === null
    ? `<form method="post" action="/console/notices/${stats.noticeId}/remind" class="noprint">${csrfField(opts.csrf)}
<p class="muted" id="remind-note">${num(unread.length)} đồng chí chưa xác nhận đã đọc; tin nhắc đến được \
${num(reachable)} đồng chí có tài khoản chat. Mỗi thông báo chỉ nhắc lại cách nhau ít nhất \
${opts.reminderGapHours} giờ.</p>
<button type="submit" aria-describedby="remind-note">Nhắc lại những đồng chí chưa đọc</button></form>`
    : `<p class="muted">${h(why)}</p>`
}
${
  unread.length
    ? `<h2>Chưa xác nhận đã đọc (${num(unread.length)})</h2>
<table><thead><tr><th scope="col">Họ và tên</th><th scope="col">Chi bộ</th><th scope="col">Tài khoản chat</th>\
</tr></thead><tbody>${unread
        .map(
          (u) => `<tr><td>${h(u.fullName)}</td><td>${h(u.cellName)}</td>\
<td>${u.reachable ? 'Đã liên kết' : '<span class="warn">Chưa liên kết</span>'}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : ''
}`;
  return page(
    { title: stats.title, who: opts.who, csrf: opts.csrf },
    `<h1>${h(stats.title)}</h1>${notice(opts.message)}
<div class="cards"><div class="card">Người nhận<b>${num(t.recipients)}</b>\
<span class="muted">${num(readers.withoutChat)} đồng chí chưa có tài khoản chat</span></div>\
<div class="card">Đã gửi<b>${num(t.sent)}</b></div>
<div class="card">Đang chờ gửi<b>${num(t.queued)}</b></div><div class="card">Gửi lỗi<b>${num(t.failed)}</b></div>
<div class="card">Đã đọc<b>${num(t.read)}</b><span>${pct(t.recipients ? t.read / t.recipients : 0)}</span></div></div>
${
  stats.failures.length
    ? `<h2>Lý do gửi lỗi</h2><ul>${stats.failures.map((f) => `<li>${h(f.reason)}: ${f.n}</li>`).join('')}</ul>`
    : ''
}
<h2>Theo chi bộ</h2>\
<table><thead><tr><th scope="col">Chi bộ</th><th scope="col" class="n">Người nhận</th>\
<th scope="col" class="n">Đã gửi</th><th scope="col" class="n">Lỗi</th>\
<th scope="col" class="n">Đã đọc</th></tr></thead><tbody>
${stats.units
  .map(
    (u) =>
      `<tr><td>${h(u.cellName)}</td><td class="n">${u.recipients}</td><td class="n">${u.sent}</td>\
<td class="n">${u.failed}</td><td class="n">${u.read}</td></tr>`,
  )
  .join('')}
</tbody></table>
${remind}`,
  );
}

export function feedbackPage(
  unit: UnitRow,
  rows: FeedbackRow[],
  times: FeedbackTimesRow[],
  opts: { who: string; csrf: string; message?: string; refused?: RefusedForm },
): string {
  return page(
    { title: 'Phản ánh', who: opts.who, csrf: opts.csrf },
    `<p class="crumbs"><a href="/console/units/${unit.id}">${h(unit.name)}</a> › Phản ánh</p>\
<h1>Phản ánh của đảng viên</h1>${notice(opts.message)}${refusedNotice(opts.refused)}
<h2>Thời gian trả lời theo đơn vị</h2>
<table><thead><tr><th scope="col">Đơn vị nhận</th><th scope="col" class="n">Đã nhận</th>\
<th scope="col" class="n">Đã trả lời</th><th scope="col" class="n">Trung bình (giờ)</th></tr></thead><tbody>
${
  times
    .map(
      (r) =>
        `<tr><td>${h(r.orgName)}</td><td class="n">${r.received}</td><td class="n">${r.answered}</td>\
<td class="n">${r.avgHours === null ? '—' : num(r.avgHours)}</td></tr>`,
    )
    .join('') || '<tr><td colspan="4">Chưa có phản ánh.</td></tr>'
}
</tbody></table>
<h2>Danh sách phản ánh</h2>
<table><thead><tr><th scope="col">Ngày</th><th scope="col">Đảng viên</th><th scope="col">Gửi tới</th>\
<th scope="col">Nội dung</th><th scope="col">Trạng thái</th><th scope="col">Trả lời</th></tr></thead><tbody>
${rows
  .map(
    (f) => `<tr><td>${dateTime(f.createdAt)}</td><td>${h(f.memberName)}</td><td>${h(f.orgName)}</td>\
<td>${h(f.body)}</td><td>${h(FEEDBACK_STATUS[f.status] ?? f.status)}</td>
<td>${answerCell(f, unit, opts.csrf, opts.refused)}</td></tr>`,
  )
  .join('')}</tbody></table>`,
  );
}

/**
 * The answer, or the form to write one. A refused answer comes back as typed: in its form, or,
 * when someone else answered meanwhile, beside their answer, so what was written is not lost.
 */
function answerCell(f: FeedbackRow, unit: UnitRow, csrf: string, refused?: RefusedForm): string {
  const action = `/console/feedback/${f.id}/answer`;
  const t = typedInto(refused, action);
  if (f.status === 'answered' || f.status === 'closed') {
    const typed = t.refused && t.one('answer').trim();
    return `${h(f.answer ?? '')}${
      typed ? `${t.error}<p class="muted">Câu trả lời đồng chí vừa viết (chưa gửi): ${h(typed)}</p>` : ''
    }`;
  }
  return `<form method="post" action="${action}">${csrfField(csrf)}${t.error}\
<input type="hidden" name="unitId" value="${unit.id}">
<label for="fa${f.id}">Trả lời</label>\
<textarea id="fa${f.id}" name="answer" required maxlength="4000">${h(t.one('answer'))}</textarea>\
<button type="submit">Gửi trả lời</button></form>`;
}
