import { ORG_KIND_LABELS } from '../../orgs/kinds.ts';
import type { DocumentSettings } from '../../orgs/document-settings.ts';
import { ACTIVE_MEANING } from '../policy.ts';
import type { UnitDashboard } from '../get-unit-dashboard.ts';
import { monthColumns, shareBars } from './charts.ts';
import { csrfField, dateTime, h, notice, num, page, pct, type RefusedForm, refusedNotice, typedInto } from './html.ts';

const CHANNEL = { telegram: 'Telegram', zalo: 'Zalo', web: 'Web' } as Record<string, string>;

export function dashboardPage(
  d: UnitDashboard,
  opts: {
    who: string;
    csrf: string;
    canExclude: boolean;
    canEditDocuments: boolean;
    message?: string;
    report: ReportOptions;
    refused?: RefusedForm;
  },
): string {
  const crumbs = d.crumbs
    .map((c) => (c.open && c.id !== d.unit.id ? `<a href="/console/units/${c.id}">${h(c.name)}</a>` : h(c.name)))
    .join(' › ');
  const below = d.children.filter((c) => c.belowTarget);
  const kids = d.children;
  // The unit itself, or a unit above it in the subtree, is left out of the figures.
  const off = d.excluded.find((e) => d.crumbs.some((c) => c.id === e.id));
  const body = `
<p class="crumbs" aria-label="Vị trí">${crumbs}</p>
<h1>${h(d.unit.name)}</h1>
<p class="muted">${h(ORG_KIND_LABELS[d.unit.kind])} · số liệu lúc ${dateTime(d.asOf)} ·
 <a href="/console/units/${d.unit.id}/meetings">Sinh hoạt chi bộ</a> ·
 <a href="/console/units/${d.unit.id}/notices">Thông báo</a> ·
 <a href="/console/units/${d.unit.id}/feedback">Phản ánh</a> ·
 <a href="/console/units/${d.unit.id}/members">Nhập, xuất danh sách đảng viên</a>${
   opts.canEditDocuments
     ? ` · <a href="/console/units/${d.unit.id}/knowledge">Tài liệu cho Trợ lý ảo</a> · ` +
       `<a href="/console/units/${d.unit.id}/questions">Câu hỏi chưa trả lời được</a>`
     : ''
 }</p>
${notice(opts.message)}${refusedNotice(opts.refused)}
${off ? excludedSummary(off) : summaryCards(d)}
${
  below.length
    ? `<p class="warn">Đơn vị dưới mục tiêu ${pct(d.target.value)}: ` +
      `${below.map((b) => `${h(b.name)} (${pct(b.share)})`).join('; ')}.</p>`
    : kids.length
      ? `<p class="ok">Mọi đơn vị trực thuộc đạt mục tiêu ${pct(d.target.value)}.</p>`
      : ''
}
${
  kids.length
    ? `<h2>Xếp hạng đơn vị trực thuộc</h2>
${shareBars(
  'Tỷ lệ đảng viên đã liên kết tài khoản chat, theo đơn vị',
  kids.filter((k) => !k.excluded).map((k) => ({ label: k.name, value: k.share, flag: k.belowTarget })),
  d.target.value,
)}
<p class="noprint">Tải bảng: <a href="/console/units/${d.unit.id}/units.xlsx">XLSX</a> ·\
 <a href="/console/units/${d.unit.id}/units.csv">CSV</a> ·
 <a href="#bao-cao">Báo cáo sơ kết (DOCX)</a></p>
<table><caption class="muted">Nguồn mục tiêu: ${h(d.target.source)}</caption>
<thead><tr><th scope="col">Hạng</th><th scope="col">Đơn vị</th>\
<th scope="col" class="n">Đảng viên</th><th scope="col" class="n">Đã liên kết</th>
<th scope="col" class="n">Tỷ lệ</th><th scope="col" class="n">Telegram</th>\
<th scope="col" class="n">Zalo</th><th scope="col" class="n">Web</th>
<th scope="col" class="n">Hoạt động 30 ngày</th><th scope="col">Ghi chú</th></tr></thead><tbody>
${kids
  .map(
    (
      k,
      i,
    ) => `<tr><td class="n">${k.excluded ? '—' : i + 1}</td><td><a href="/console/units/${k.id}">${h(k.name)}</a></td>
<td class="n">${num(k.members)}</td><td class="n">${num(k.linked)}</td>\
<td class="n">${k.excluded ? '—' : pct(k.share)}</td>
<td class="n">${num(k.telegram)}</td><td class="n">${num(k.zalo)}</td>\
<td class="n">${num(k.web)}</td><td class="n">${num(k.active)}</td>
<td>${
      k.excluded
        ? `Không tính: ${h(k.reason ?? 'đơn vị cấp dưới không triển khai')}`
        : k.belowTarget
          ? '<span class="warn">Dưới mục tiêu</span>'
          : ''
    }</td></tr>`,
  )
  .join('')}
</tbody></table>`
    : ''
}
<h2>Xu hướng 12 tháng</h2>
${monthColumns(
  'Số buổi sinh hoạt chi bộ đã họp mỗi tháng và số tài khoản chat đã liên kết (cộng dồn)',
  d.trend.map((m) => ({ month: m.month, columns: m.meetings, line: m.linked })),
  'Buổi sinh hoạt',
  'Tài khoản đã liên kết',
)}
<table><thead><tr><th scope="col">Tháng</th><th scope="col" class="n">Buổi sinh hoạt</th>\
<th scope="col" class="n">Tài khoản đã liên kết (cộng dồn)</th></tr></thead><tbody>
${d.trend
  .map(
    (m) =>
      `<tr><td>${h(m.month.slice(5))}/${h(m.month.slice(0, 4))}</td><td class="n">${num(m.meetings)}</td>\
<td class="n">${num(m.linked)}</td></tr>`,
  )
  .join('')}
</tbody></table>
<h2>Đơn vị không tính vào số liệu</h2>
${
  d.excluded.length
    ? `<ul>${d.excluded
        .map((e) => `<li>${h(e.name)} — ${num(e.members)} đảng viên. Lý do: ${h(e.reason ?? '')}</li>`)
        .join('')}</ul>`
    : '<p>Không có.</p>'
}
${opts.canExclude ? exclusionForm(d, opts.csrf, opts.refused) : ''}
${reportSection(d, opts.report, opts.csrf, opts.refused)}
${d.members ? memberTable(d) : ''}`;
  return page({ title: d.unit.name, who: opts.who, csrf: opts.csrf }, body);
}

function summaryCards(d: UnitDashboard): string {
  const t = d.totals;
  return `<h2>Tổng hợp (không tính đơn vị không triển khai)</h2>
<div class="cards">
 <div class="card">Đảng viên<b>${num(t.members)}</b>\
<span class="muted">${num(t.official)} chính thức, ${num(t.probationary)} dự bị</span></div>
 <div class="card">Đã liên kết chat<b>${num(t.linked)}</b><span>${pct(t.share)}</span></div>
 <div class="card">Hoạt động 30 ngày<b>${num(t.active)}</b>\
<span>${pct(t.members ? t.active / t.members : 0)}</span></div>
 <div class="card">Theo kênh\
<b style="font-size:1em">Telegram ${num(t.telegram)} · Zalo ${num(t.zalo)} · Web ${num(t.web)}</b></div>
 <div class="card">Chi bộ<b>${num(t.cells)}</b></div>
</div>
<p class="muted">Hoạt động 30 ngày: số đảng viên ${h(ACTIVE_MEANING)}.</p>
`;
}

/** An excluded unit's own page: why it is left out, and its own member count — never "0 members". */
function excludedSummary(off: UnitDashboard['excluded'][number]): string {
  return `<h2>Tổng hợp</h2>
<p class="warn">Đơn vị không tính vào số liệu của cấp trên${off.reason ? `: ${h(off.reason)}` : '.'}</p>
<div class="cards"><div class="card">Đảng viên<b>${num(off.members)}</b>\
<span class="muted">không tính vào tổng của cấp trên</span></div></div>`;
}

export interface ReportOptions {
  documents: DocumentSettings;
  canSetDocuments: boolean;
  /** The months a report may be asked for, oldest first (YYYY-MM). */
  months: string[];
}

/**
 * The month's "Báo cáo sơ kết": which month and the number in the register, and — for whoever may
 * issue the unit's documents — what its documents carry (issuing body, locality, signer).
 */
function reportSection(d: UnitDashboard, r: ReportOptions, csrf: string, refused?: RefusedForm): string {
  const s = r.documents;
  const months = [...r.months]
    .reverse()
    .map((m, i) => `<option value="${m}"${i === 0 ? ' selected' : ''}>tháng ${m.slice(5)}/${m.slice(0, 4)}</option>`)
    .join('');
  const blank = '(để trống, ghi tay)';
  return `<h2 id="bao-cao">Báo cáo sơ kết</h2>
<p>Văn bản: <strong>${h(s.issuerName.toLocaleUpperCase('vi'))}</strong> · ký hiệu <strong>-BC/${h(s.symbol)}</strong>
 · địa danh <strong>${h(s.locality ?? blank)}</strong> · ký: <strong>T/M ${h(s.issuerBody)},
 ${h(s.signerTitle ?? 'BÍ THƯ')} ${h(s.signerName ?? blank)}</strong></p>
<form method="get" action="/console/units/${d.unit.id}/report.docx" class="noprint">
<div class="row"><div><label for="rp-month">Tháng báo cáo</label>
<select id="rp-month" name="month">${months}</select></div>
<div><label for="rp-number">Số văn bản (theo sổ; để trống để ghi tay)</label>
<input id="rp-number" name="number" inputmode="numeric" pattern="[0-9]{0,5}" maxlength="5" size="6"></div>
<div><button type="submit">Tải báo cáo (DOCX)</button></div></div></form>
${r.canSetDocuments ? settingsForm(d, s, csrf, refused) : ''}`;
}

function settingsForm(d: UnitDashboard, s: DocumentSettings, csrf: string, refused?: RefusedForm): string {
  const action = `/console/units/${d.unit.id}/document-settings`;
  const t = typedInto(refused, action);
  const title = (v: string, label: string) => t.option('signerTitle', v, label, (s.stored.signerTitle ?? '') === v);
  const field = (id: string, name: string, label: string, max: number, value: string | null, hint: string | null) =>
    `<div><label for="${id}">${label}</label>
<input id="${id}" name="${name}" maxlength="${max}"${t.value(name, value ?? '')} placeholder="${h(hint ?? '')}"></div>`;
  return `<form method="post" action="${action}" class="noprint">${csrfField(csrf)}
<fieldset><legend>Thông tin ghi trên văn bản (báo cáo, biên bản)</legend>${t.error}
<div class="row">
${field('ds-issuer', 'issuerName', 'Cơ quan ban hành', 200, s.stored.issuerName, s.issuerName)}
${field('ds-place', 'locality', 'Địa danh ghi trước ngày tháng', 100, s.stored.locality, s.locality)}
${field('ds-signer', 'signerName', 'Người ký', 200, s.stored.signerName, s.signerName)}
<div><label for="ds-title">Chức danh người ký</label><select id="ds-title" name="signerTitle">
${title('', 'Theo mặc định')}${title('secretary', 'Bí thư')}${title('deputy_secretary', 'Phó Bí thư')}</select></div>
<div><button type="submit">Lưu</button></div></div>
<p class="muted">Ô để trống dùng giá trị gợi ý (chữ mờ trong ô).</p></fieldset></form>`;
}

function exclusionForm(d: UnitDashboard, csrf: string, refused?: RefusedForm): string {
  const action = `/console/units/${d.unit.id}/exclusions`;
  const t = typedInto(refused, action);
  const options = [d.unit, ...d.children.map((c) => ({ id: c.id, name: c.name }))]
    .map((u) => t.option('orgId', String(u.id), u.name))
    .join('');
  return `<form method="post" action="${action}" class="noprint">${csrfField(csrf)}
<fieldset><legend>Không tính / tính lại một đơn vị trong số liệu</legend>${t.error}
<div class="row"><div><label for="ex-unit">Đơn vị</label><select id="ex-unit" name="orgId">${options}</select></div>
<div><label for="ex-mode">Thao tác</label><select id="ex-mode" name="deployed">\
${t.option('deployed', 'false', 'Không tính (nêu lý do)')}${t.option('deployed', 'true', 'Tính lại')}</select></div>
<div style="flex:1"><label for="ex-reason">Lý do</label>\
<input id="ex-reason" name="reason" maxlength="500" style="width:100%"${t.value('reason')}></div>
<div><button type="submit">Lưu</button></div></div></fieldset></form>`;
}

function memberTable(d: UnitDashboard): string {
  const rows = d.members ?? [];
  return `<h2>Danh sách đảng viên (${rows.length})</h2>
<p class="noprint">Tải danh sách: <a href="/console/units/${d.unit.id}/members.xlsx">XLSX</a> ·\
 <a href="/console/units/${d.unit.id}/members.csv">CSV</a></p>
<table><thead><tr><th scope="col">Họ và tên</th><th scope="col">Loại</th>\
<th scope="col">Kênh đã liên kết</th><th scope="col">Hoạt động gần nhất</th></tr></thead><tbody>
${rows
  .map(
    (m) =>
      `<tr><td>${h(m.fullName)}</td><td>${m.status === 'official' ? 'Chính thức' : 'Dự bị'}</td>
<td>${
        m.channels.length
          ? m.channels.map((c) => CHANNEL[c] ?? h(c)).join(', ')
          : '<span class="warn">Chưa liên kết</span>'
      }</td><td>${dateTime(m.lastActiveAt)}</td></tr>`,
  )
  .join('')}
</tbody></table>`;
}
