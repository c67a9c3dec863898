import type { IngestJob } from '../../knowledge/get-ingest-job.ts';
import type { UnitKnowledge } from '../../knowledge/list-unit-knowledge.ts';
import { csrfField, dateTime, h, notice, num, page, type RefusedForm, refusedNotice, typedInto } from './html.ts';

const JOB_STATUS: Record<IngestJob['status'], string> = {
  running: 'Đang nạp',
  done: 'Đã nạp xong',
  failed: 'Không nạp được',
};
const RESULT: Record<string, string> = {
  created: 'tài liệu mới',
  replaced: 'thay bản nạp trước',
  unchanged: 'không thay đổi (tệp này đã được nạp)',
};
/** How often the page of a running job reloads itself when the browser runs no script. */
export const JOB_REFRESH_SECONDS = 3;

interface JobResult {
  status?: string;
  chunks?: number;
  pages?: number;
}

/**
 * Uploads with progress: the form posts as is without script (then the job's page reloads
 * itself until the job ends); with script it is sent by XMLHttpRequest, a <progress> shows
 * the bytes sent, then the job's status is polled until it is done, and the list reloads.
 * ES5 on purpose: a secretary's phone may be from 2015.
 */
export const UPLOAD_SCRIPT = `(function () {
  var form = document.getElementById('kb-upload');
  if (!form || !window.FormData || !('upload' in new XMLHttpRequest())) return;
  var box = document.getElementById('kb-progress'), bar = document.getElementById('kb-bar'),
      status = document.getElementById('kb-status'), button = form.querySelector('button[type=submit]');
  function say(text) { status.textContent = text; }
  function fail(text) { say(text); button.disabled = false; }
  function poll(url) {
    var x = new XMLHttpRequest();
    x.open('GET', url);
    x.onload = function () {
      var job;
      try { job = JSON.parse(x.responseText); } catch (e) { return fail('Không đọc được trạng thái nạp tài liệu.'); }
      if (x.status !== 200) return fail('Không đọc được trạng thái nạp tài liệu.');
      if (job.status === 'running') { setTimeout(function () { poll(url); }, 1000); return; }
      if (job.status === 'failed') return fail('Không nạp được tài liệu: ' + (job.error || 'lỗi không rõ') + '.');
      say('Đã nạp xong: ' + job.chunks + ' đoạn. Đang tải lại danh sách…');
      location.assign(location.pathname + '?done=loaded');
    };
    x.onerror = function () { fail('Mất kết nối khi theo dõi việc nạp tài liệu. Tải lại trang để xem kết quả.'); };
    x.send();
  }
  form.addEventListener('submit', function (event) {
    if (!form.elements.file.files.length) return;
    event.preventDefault();
    button.disabled = true;
    box.hidden = false;
    bar.value = 0;
    say('Đang tải lên…');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.responseType = 'document';
    xhr.upload.onprogress = function (p) {
      if (!p.lengthComputable) return;
      bar.value = Math.round((p.loaded * 100) / p.total);
      say('Đang tải lên: ' + bar.value + ' %');
    };
    xhr.onload = function () {
      var done = /\\/console\\/knowledge\\/jobs\\/[0-9]+$/.test(xhr.responseURL || '');
      if (xhr.status !== 200 || !done) {
        var r = xhr.response, alert = r && (r.getElementById('bieu-mau-bi-tu-choi') || r.querySelector('[role=alert]'));
        return fail(alert ? alert.textContent : 'Tải lên không thành công (mã ' + xhr.status + ').');
      }
      bar.value = 100;
      say('Đã tải lên. Đang đọc và nạp tài liệu…');
      poll(xhr.responseURL + '/status');
    };
    xhr.onerror = function () { fail('Mất kết nối khi tải lên. Hãy thử lại.'); };
    xhr.send(new FormData(form));
  });
})();`;

const jobResult = (job: IngestJob) => (job.result ?? {}) as JobResult;

/** File kinds as an office names them ("văn bản Word"), not by their technical formats. */
const FILE_KINDS: [extensions: string[], name: string][] = [
  [['.docx'], 'văn bản Word (DOCX)'],
  [['.pdf'], 'PDF'],
  [['.html', '.htm'], 'trang web đã lưu (HTML)'],
  [['.txt', '.md', '.markdown'], 'tệp chữ (TXT)'],
];

function fileKinds(extensions: string[]): string {
  return FILE_KINDS.filter(([exts]) => exts.some((e) => extensions.includes(e)))
    .map(([, name]) => name)
    .join(', ');
}

export function knowledgePage(
  k: UnitKnowledge,
  opts: {
    who: string;
    csrf: string;
    message?: string;
    maxMegabytes: number;
    extensions: string[];
    refused?: RefusedForm;
  },
): string {
  const u = k.unit;
  const typed = typedInto(opts.refused, `/console/units/${u.id}/knowledge`);
  return page(
    { title: 'Tài liệu cho Trợ lý ảo', who: opts.who, csrf: opts.csrf, script: UPLOAD_SCRIPT },
    `<p class="crumbs"><a href="/console">Trang chủ</a> › ${h(u.name)} › Tài liệu cho Trợ lý ảo</p>
<h1>Tài liệu cho Trợ lý ảo của ${h(u.name)}</h1>${notice(opts.message)}${refusedNotice(opts.refused)}
<p class="muted">Trợ lý ảo trả lời đảng viên ${
      u.kind === 'central' ? 'trong toàn hệ thống' : `của ${h(u.name)} và các đơn vị trực thuộc`
    } từ các tài liệu dưới đây.
 <a href="/console/units/${u.id}/questions">Câu hỏi Trợ lý ảo chưa trả lời được</a> gợi ý tài liệu cần bổ sung.</p>
<form id="kb-upload" method="post" action="/console/units/${u.id}/knowledge"\
 enctype="multipart/form-data" class="noprint">${csrfField(opts.csrf)}
<fieldset><legend>Tải lên tài liệu</legend>${typed.error}
<p class="muted" id="kb-hint">Nhận ${h(fileKinds(opts.extensions))},\
 tối đa ${opts.maxMegabytes} MB.
 Tải lại một tệp cùng tên thì bản mới thay bản cũ.</p>
<label for="kb-title">Tên tài liệu (để trống: lấy tên trong tệp)</label>\
<input id="kb-title" name="title" maxlength="300" style="width:100%"${typed.value('title')}>
<label for="kb-file">Tệp</label><input id="kb-file" name="file" type="file" required aria-describedby="kb-hint"
 accept="${opts.extensions.join(',')}">
<p><button type="submit">Tải lên và nạp</button></p>
<div id="kb-progress" hidden>\
<label for="kb-bar">Tiến độ tải lên</label><progress id="kb-bar" max="100" value="0"></progress></div>
<p id="kb-status" role="status" aria-live="polite"></p>
</fieldset></form>
<h2>Các lần tải lên gần đây</h2>
<table><thead><tr><th scope="col">Tệp</th><th scope="col">Bắt đầu</th><th scope="col">Trạng thái</th>\
<th scope="col" class="n">Số đoạn</th><th scope="col">Kết quả</th></tr></thead><tbody>
${
  k.jobs
    .map((j) => {
      const r = jobResult(j);
      return `<tr><td><a href="/console/knowledge/jobs/${j.id}">${h(j.filename)}</a></td>\
<td>${dateTime(j.createdAt)}</td>
<td${j.status === 'failed' ? ' class="warn"' : ''}>${JOB_STATUS[j.status]}</td>\
<td class="n">${r.chunks === undefined ? '—' : num(r.chunks)}</td>
<td>${j.status === 'failed' ? h(j.error ?? '') : j.status === 'done' ? h(RESULT[r.status ?? ''] ?? '') : ''}</td></tr>`;
    })
    .join('') || '<tr><td colspan="5">Chưa tải lên tài liệu nào.</td></tr>'
}
</tbody></table>
<h2>Tài liệu đã nạp (${num(k.documents.length)})</h2>
<table><thead><tr><th scope="col">Tên tài liệu</th><th scope="col">Đơn vị</th><th scope="col">Số hiệu</th>\
<th scope="col">Tệp</th><th scope="col">Hiệu lực</th><th scope="col" class="n">Số đoạn</th><th scope="col">Nạp lúc</th>\
<th scope="col">Rút</th></tr></thead><tbody>
${
  k.documents
    .map(
      (d) => `<tr><td>${h(d.title)}</td><td>${h(d.unitName ?? 'Toàn quốc')}</td><td>${h(d.number ?? '')}</td>\
<td>${h(d.filename ?? '')}</td><td>${d.status === 'in_force' ? 'Đang có hiệu lực' : 'Đã được thay thế'}</td>\
<td class="n">${num(d.chunks)}</td><td>${dateTime(d.ingestedAt)}</td>
<td><form method="post" action="/console/documents/${d.id}/withdraw" class="noprint">${csrfField(opts.csrf)}\
<input type="hidden" name="unitId" value="${u.id}"><button type="submit"\
 aria-label="Rút tài liệu ${h(d.title)}">Rút tài liệu</button></form></td></tr>`,
    )
    .join('') || '<tr><td colspan="8">Chưa có tài liệu nào.</td></tr>'
}
</tbody></table>`,
  );
}

/** One upload's result; while it runs, the page reloads itself (no script needed). */
export function ingestJobPage(
  job: IngestJob & { orgId: number | null },
  unitName: string | null,
  opts: { who: string; csrf: string },
): string {
  const r = jobResult(job);
  const back = job.orgId
    ? `<p><a href="/console/units/${job.orgId}/knowledge">` +
      `Về danh sách tài liệu${unitName ? ` của ${h(unitName)}` : ''}</a></p>`
    : '';
  const state =
    job.status === 'running'
      ? `<p role="status">Đã nhận tệp; đang đọc và nạp tài liệu. Trang tự cập nhật sau ${JOB_REFRESH_SECONDS} giây
 (<a href="/console/knowledge/jobs/${job.id}">cập nhật ngay</a>).</p>`
      : job.status === 'done'
        ? `<p class="msg" role="status">Đã nạp xong: ${num(r.chunks ?? 0)} đoạn` +
          `${r.pages ? `, ${num(r.pages)} trang` : ''} — ${h(RESULT[r.status ?? ''] ?? '')}.</p>`
        : `<p class="err" role="alert">Không nạp được tài liệu: ${h(job.error ?? 'lỗi không rõ')}.</p>`;
  return page(
    {
      title: `Nạp tài liệu ${job.filename}`,
      who: opts.who,
      csrf: opts.csrf,
      refreshSeconds: job.status === 'running' ? JOB_REFRESH_SECONDS : undefined,
    },
    `<h1>Nạp tài liệu: ${h(job.filename)}</h1>${state}
<p class="muted">Bắt đầu ${dateTime(job.createdAt)}${job.finishedAt ? ` · xong ${dateTime(job.finishedAt)}` : ''}</p>\
${back}`,
  );
}
