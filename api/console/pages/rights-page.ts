/**
 * Who holds which role on a unit and beneath it (with a button to remove one), and the audit
 * log of the unit's subtree: who did what to members, roles, units, imports and exports.
 */
import type { GrantRow } from '../../auth/roles.ts';
import type { AuditRow } from '../list-unit-audit.ts';
import type { UnitRow } from '../repository.ts';
import { csrfField, dateTime, h, notice, page } from './html.ts';

export const ROLE_LABELS: Record<string, string> = {
  admin: 'Quản trị',
  committee: 'Cấp ủy',
  secretary: 'Bí thư chi bộ',
  editor: 'Biên tập tài liệu',
};

interface PageOptions {
  who: string;
  csrf: string;
  message?: string;
}

export function rolesPage(unit: UnitRow, grants: GrantRow[], opts: PageOptions): string {
  const rows = grants
    .map(
      (g) => `<tr><td>${h(g.orgName)}</td><td>${h(ROLE_LABELS[g.role] ?? g.role)}</td>\
<td>${h(g.principalName)}${g.memberId ? '' : ' <span class="muted">(tài khoản dùng mã truy cập)</span>'}</td>\
<td>${dateTime(g.createdAt)}</td>
<td><form method="post" action="/console/roles/${g.id}/remove">${csrfField(opts.csrf)}\
<input type="hidden" name="unitId" value="${unit.id}">\
<button type="submit" class="light" \
aria-label="Bỏ vai trò ${h(ROLE_LABELS[g.role] ?? g.role)} của ${h(g.principalName)}">\
Bỏ vai trò</button></form></td></tr>`,
    )
    .join('');
  return page(
    { title: 'Vai trò', who: opts.who, csrf: opts.csrf },
    `<p class="crumbs"><a href="/console/units/${unit.id}">${h(unit.name)}</a> › Vai trò</p>
<h1>Vai trò trong ${h(unit.name)}</h1>${notice(opts.message)}
<p>Mọi vai trò trên đơn vị này và các đơn vị trực thuộc, ai giao cũng vậy. Bỏ một vai trò có hiệu lực ngay và được
ghi vào <a href="/console/units/${unit.id}/audit">nhật ký thao tác</a>. Vai trò của đảng viên tự chấm dứt khi đồng chí
chuyển sinh hoạt đi nơi khác hoặc ngừng hoạt động.</p>
${
  grants.length
    ? `<table><thead><tr><th scope="col">Đơn vị</th><th scope="col">Vai trò</th><th scope="col">Người giữ</th>\
<th scope="col">Giao lúc</th><th scope="col">Thao tác</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>Chưa có vai trò nào.</p>'
}`,
  );
}

const ACTIONS: Record<string, string> = {
  'role.granted': 'Giao vai trò',
  'role.removed': 'Bỏ vai trò',
  'role.ended': 'Vai trò chấm dứt',
  'member.created': 'Thêm đảng viên',
  'member.updated': 'Sửa hồ sơ đảng viên',
  'member.deactivated': 'Ngừng hoạt động',
  'member.reactivated': 'Hoạt động trở lại',
  'member.transferred_out': 'Chuyển sinh hoạt đi',
  'member.transferred_in': 'Chuyển sinh hoạt đến',
  'members.imported': 'Nhập danh sách đảng viên',
  'org.created': 'Tạo tổ chức',
  'org.moved': 'Chuyển tổ chức',
  export: 'Xuất dữ liệu',
};

const FIELDS: Record<string, string> = {
  fullName: 'họ và tên',
  gender: 'giới tính',
  birthYear: 'năm sinh',
  cardNumber: 'số thẻ đảng',
  phone: 'điện thoại',
  status: 'loại đảng viên',
  admittedOn: 'ngày kết nạp',
  probationEndsOn: 'ngày hết dự bị',
  officialOn: 'ngày chính thức',
  active: 'trạng thái hoạt động',
};

const EXPORTS: Record<string, string> = {
  members: 'danh sách đảng viên',
  units: 'bảng số liệu các đơn vị',
  meetings: 'bảng sinh hoạt chi bộ',
  report: 'báo cáo sơ kết',
};

/** What an entry's details say, in words (never more than the log keeps: no member's data). */
function describe(r: AuditRow): string {
  const d = r.details as Record<string, string | number | string[] | undefined>;
  const role = d.role ? (ROLE_LABELS[String(d.role)] ?? String(d.role)) : '';
  switch (r.action) {
    case 'role.granted':
    case 'role.removed':
      return role;
    case 'role.ended':
      return `${role} — ${d.reason === 'deactivated' ? 'đảng viên ngừng hoạt động' : 'đảng viên chuyển sinh hoạt'}`;
    case 'member.updated':
      return Array.isArray(d.fields) ? `Sửa: ${d.fields.map((f) => FIELDS[f] ?? f).join(', ')}` : '';
    case 'members.imported':
      return `${d.imported ?? 0} đảng viên (${String(d.format ?? '').toUpperCase()})`;
    case 'export':
      return `${EXPORTS[String(d.what)] ?? String(d.what)} (${String(d.format ?? '').toUpperCase()})${
        d.rows !== undefined ? `, ${d.rows} dòng` : ''
      }`;
    default:
      return '';
  }
}

export function auditPage(unit: UnitRow, rows: AuditRow[], opts: PageOptions & { more: boolean }): string {
  const body = rows
    .map(
      (r) => `<tr><td>${dateTime(r.at)}</td><td>${h(r.actorName ?? 'Quản trị hệ thống (dòng lệnh)')}</td>\
<td>${h(ACTIONS[r.action] ?? r.action)}</td><td>${h(r.subjectName ?? '')}</td><td>${h(describe(r))}</td>\
<td>${h(r.orgName)}</td></tr>`,
    )
    .join('');
  const older = opts.more
    ? `<p><a href="/console/units/${unit.id}/audit?before=${rows.at(-1)!.id}">Cũ hơn</a></p>`
    : '';
  return page(
    { title: 'Nhật ký thao tác', who: opts.who, csrf: opts.csrf },
    `<p class="crumbs"><a href="/console/units/${unit.id}">${h(unit.name)}</a> › Nhật ký thao tác</p>
<h1>Nhật ký thao tác — ${h(unit.name)}</h1>
<p>Giao và bỏ vai trò; thêm, sửa, chuyển sinh hoạt, ngừng hoạt động đảng viên; tạo và chuyển tổ chức; nhập và xuất
dữ liệu — trên đơn vị này và các đơn vị trực thuộc, mới nhất trước. Nhật ký chỉ được ghi thêm, không sửa, không xóa.</p>
${
  rows.length
    ? `<table><thead><tr><th scope="col">Lúc</th><th scope="col">Người làm</th><th scope="col">Thao tác</th>\
<th scope="col">Đối tượng</th><th scope="col">Chi tiết</th><th scope="col">Đơn vị</th></tr></thead>\
<tbody>${body}</tbody></table>${older}`
    : '<p>Chưa có thao tác nào được ghi.</p>'
}`,
  );
}
