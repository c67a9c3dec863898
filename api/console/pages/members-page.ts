import type { ImportProblem, ImportResult } from '../../members/import-members.ts';
import { SHEET_COLUMNS } from '../../members/member-sheet.ts';
import type { UnitRow } from '../repository.ts';
import { csrfField, h, notice, page } from './html.ts';

/** Import a member list (CSV/XLSX) with the per-line error report; export the list. */
export function membersPage(
  unit: UnitRow,
  opts: {
    who: string;
    csrf: string;
    message?: string;
    error?: string;
    problems?: ImportProblem[];
    result?: ImportResult;
    /** A preview's kept file: the button that imports it without choosing it again. */
    draft?: string;
  },
): string {
  const problems = opts.problems ?? [];
  return page(
    { title: 'Nhập, xuất danh sách đảng viên', who: opts.who, csrf: opts.csrf },
    `<p class="crumbs"><a href="/console/units/${unit.id}">${h(unit.name)}</a> › Danh sách đảng viên</p>
<h1>Nhập, xuất danh sách đảng viên</h1>${notice(opts.message)}
${
  opts.error
    ? `<div class="err" role="alert"><p>${h(opts.error)}</p>${
        problems.length ? '<p>Chưa nhập dòng nào. Sửa các dòng dưới đây rồi tải lại tệp.</p>' : ''
      }</div>`
    : ''
}
${
  problems.length
    ? `<table><caption>Các dòng có lỗi</caption>\
<thead><tr><th scope="col" class="n">Dòng</th><th scope="col">Cột</th><th scope="col">Lỗi</th></tr></thead><tbody>
${problems
  .map((p) => `<tr><td class="n">${p.line}</td><td>${h(p.column)}</td><td>${h(p.message)}</td></tr>`)
  .join('')}</tbody></table>`
    : ''
}
${opts.result ? importResult(opts.result) : ''}
${
  opts.draft
    ? `<form method="post" action="/console/units/${unit.id}/members/import-draft">${csrfField(opts.csrf)}\
<input type="hidden" name="draft" value="${h(opts.draft)}">\
<p><button type="submit">Nhập danh sách này</button> <span class="muted">hoặc chọn tệp khác bên dưới.</span></p></form>`
    : ''
}
<p>Tải danh sách hiện có: <a href="/console/units/${unit.id}/members.xlsx">XLSX</a> ·\
 <a href="/console/units/${unit.id}/members.csv">CSV</a>
 (cùng các cột với tệp nhập, nên xuất ra có thể nhập lại).</p>
<form method="post" action="/console/units/${unit.id}/members/import" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${h(opts.csrf)}">
<fieldset><legend>Nhập danh sách từ tệp CSV hoặc XLSX</legend>
<p class="muted">Các cột: ${SHEET_COLUMNS.map((c) => h(c.header)).join(', ')}.\
 Tệp có dòng sai thì không dòng nào được nhập. Dòng có số thẻ đảng của đảng viên đã có trong đơn vị\
 thì cập nhật đồng chí đó (xuất danh sách, sửa, rồi nhập lại).</p>
<label for="file">Tệp</label><input id="file" name="file" type="file" accept=".csv,.xlsx" required>
<p><button type="submit" name="mode" value="preview" class="light">Xem trước thay đổi</button>
 <button type="submit" name="mode" value="apply">Nhập danh sách</button></p></fieldset></form>`,
  );
}

/** Who the file adds and what it changes for whom (a preview, or what was done). */
function importResult(r: ImportResult): string {
  const added = r.added.length
    ? `<h2>${r.preview ? 'Sẽ thêm' : 'Đã thêm'} (${r.added.length})</h2><ul>${r.added
        .map((n) => `<li>${h(n)}</li>`)
        .join('')}</ul>`
    : '';
  const changed = r.changed.length
    ? `<h2>${r.preview ? 'Sẽ cập nhật' : 'Đã cập nhật'} (${r.changed.length})</h2>
<table><thead><tr><th scope="col" class="n">Dòng</th><th scope="col">Đảng viên</th><th scope="col">Cột</th>\
<th scope="col">Trước</th><th scope="col">Sau</th></tr></thead><tbody>${r.changed
        .flatMap((c) =>
          c.changes.map(
            (x) => `<tr><td class="n">${c.line}</td><td>${h(c.fullName)}</td><td>${h(x.column)}</td>\
<td>${h(x.from || '(trống)')}</td><td>${h(x.to || '(trống)')}</td></tr>`,
          ),
        )
        .join('')}</tbody></table>`
    : '';
  return added + changed;
}

export function questionsPage(
  unit: UnitRow,
  filter: 'unanswered' | 'poor',
  rows: {
    id: number;
    askedAt: Date;
    question: string;
    rating: number | null;
    comment: string | null;
    chosen?: string | null;
  }[],
  opts: { who: string; csrf: string; message?: string },
  articles: Map<number, { chunkId: number; label: string }[]> = new Map(),
): string {
  return page(
    { title: 'Câu hỏi cần bổ sung tài liệu', who: opts.who, csrf: opts.csrf },
    `<p class="crumbs"><a href="/console">Trang chủ</a> › ${h(unit.name)}</p>
<h1>${filter === 'unanswered' ? 'Câu hỏi Trợ lý ảo chưa trả lời được' : 'Câu trả lời bị đánh giá 👎'}</h1>\
${notice(opts.message)}
<p><a href="/console/units/${unit.id}/questions?filter=unanswered">Chưa trả lời được</a> ·\
 <a href="/console/units/${unit.id}/questions?filter=poor">Bị đánh giá 👎</a> ·
 <a href="/console/units/${unit.id}/knowledge">Tải lên tài liệu cho Trợ lý ảo</a></p>
<p class="muted">Các câu hỏi của đảng viên trong đơn vị mà tài liệu đã nạp chưa trả lời tốt:\
 gợi ý tài liệu cần bổ sung.
 Chọn điều khoản trả lời cho một câu hỏi để dạy Trợ lý ảo: những câu hỏi tương tự của đảng viên trong đơn vị\
 sẽ được trả lời từ điều khoản đó.</p>
<table><thead><tr><th scope="col">Thời gian</th>\
<th scope="col">Câu hỏi</th><th scope="col">Góp ý</th></tr></thead><tbody>
${
  rows
    .map(
      (q) =>
        `<tr><td>${h(new Date(q.askedAt).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }))}</td>\
<td>${h(q.question)}${q.chosen ? `<br><span class="muted">Đã chọn: ${h(q.chosen)}</span>` : ''}\
${teachForm(unit.id, q.id, articles.get(q.id) ?? [], opts.csrf)}</td>\
<td>${h(q.comment ?? '')}</td></tr>`,
    )
    .join('') || '<tr><td colspan="3">Không có.</td></tr>'
}
</tbody></table>`,
  );
}

/** Links a question to the article that answers it, with an optional short answer (the editor teaches). */
function teachForm(unitId: number, questionId: number, articles: { chunkId: number; label: string }[], csrf: string) {
  if (!articles.length) return '';
  const id = `teach-${questionId}`;
  return `<form method="post" action="/console/units/${unitId}/lessons" class="noprint">\
${csrfField(csrf)}<input type="hidden" name="questionId" value="${questionId}">
<label for="${id}">Điều khoản trả lời câu hỏi này</label><select id="${id}" name="chunkId">${articles
    .map((a) => `<option value="${a.chunkId}">${h(a.label)}</option>`)
    .join('')}</select>
<label for="${id}-note">Câu trả lời ngắn (không bắt buộc)</label>\
<input id="${id}-note" name="note" maxlength="1000" style="width:100%">
<button type="submit">Dạy Trợ lý ảo</button></form>`;
}
