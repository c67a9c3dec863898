import type { RoleGrant } from '../../auth/roles.ts';
import type { SessionListRow } from '../session-repository.ts';
import { csrfField, dateTime, h, notice, page } from './html.ts';
import { ROLE_LABELS } from './rights-page.ts';

export function loginPage(token: string, valid: boolean, csrf: string): string {
  if (!valid) {
    return page(
      { title: 'Đường dẫn không dùng được' },
      `<h1>Đường dẫn không dùng được</h1>\
<p class="err" role="alert">Đường dẫn đăng nhập không hợp lệ, đã được dùng hoặc đã hết hạn.
Hãy nhắn "quản trị" (hoặc /admin) cho bot để nhận đường dẫn mới.</p>`,
    );
  }
  // A button, not an automatic sign-in: link previews and scanners that fetch the address do not use it up.
  return page(
    { title: 'Đăng nhập trang quản trị' },
    `<h1>Đăng nhập trang quản trị</h1><p>Đường dẫn chỉ dùng được một lần. Bấm nút để vào.</p>
<form method="post" action="/console/login">${csrfField(csrf)}<input type="hidden" name="token" value="${h(token)}">\
<button type="submit">Vào trang quản trị</button></form>`,
  );
}

export function homePage(who: string, csrf: string, grants: RoleGrant[]): string {
  return page(
    { title: 'Trang chủ quản trị', who, csrf },
    `<h1>Xin chào đồng chí ${h(who)}</h1><h2>Đơn vị của đồng chí</h2>
<ul>${grants
      .map(
        (g) =>
          `<li>${h(ROLE_LABELS[g.role])} — ${
            g.role === 'editor'
              ? `${h(g.orgName)} — <a href="/console/units/${g.orgId}/knowledge">tài liệu cho Trợ lý ảo</a> · ` +
                `<a href="/console/units/${g.orgId}/questions">câu hỏi Trợ lý ảo chưa trả lời được</a>`
              : `<a href="/console/units/${g.orgId}">${h(g.orgName)}</a> · ` +
                `<a href="/console/units/${g.orgId}/meetings">sinh hoạt chi bộ</a>`
          }${g.role === 'admin' ? ` · <a href="/console/units/${g.orgId}/roles">vai trò</a>` : ''}${
            g.role === 'admin' || g.role === 'committee'
              ? ` · <a href="/console/units/${g.orgId}/audit">nhật ký thao tác</a>`
              : ''
          }</li>`,
      )
      .join('')}</ul>`,
  );
}

export function sessionsPage(who: string, csrf: string, currentId: number, rows: SessionListRow[], message?: string) {
  return page(
    { title: 'Phiên đăng nhập', who, csrf },
    `<h1>Phiên đăng nhập đang mở</h1>${notice(message)}
<table><thead><tr><th scope="col">Bắt đầu</th><th scope="col">Lần cuối</th><th scope="col">Hết hạn</th>\
<th scope="col">Trình duyệt</th><th scope="col">Thao tác</th></tr></thead><tbody>
${rows
  .map(
    (s) => `<tr><td>${dateTime(s.createdAt)}</td><td>${dateTime(s.lastSeenAt)}</td>\
<td>${dateTime(s.expiresAt)}</td>\
<td>${h(describeBrowser(s.userAgent))}${s.id === currentId ? ' <strong>(phiên này)</strong>' : ''}</td>
<td><form method="post" action="/console/sessions/${s.id}/end">${csrfField(csrf)}\
<button type="submit" class="light">Kết thúc</button></form></td></tr>`,
  )
  .join('')}</tbody></table>`,
  );
}

/**
 * The browser and device of a session as a person names them ("Chrome trên Android"), never the
 * raw user-agent string.
 */
export function describeBrowser(userAgent: string | null): string {
  const ua = userAgent ?? '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /CocCoc|coc_coc/i.test(ua)
        ? 'Cốc Cốc'
        : /Zalo/i.test(ua)
          ? 'trình duyệt trong Zalo'
          : /Chrome\/|CriOS\//.test(ua)
            ? 'Chrome'
            : /Firefox\/|FxiOS\//.test(ua)
              ? 'Firefox'
              : /Safari\//.test(ua)
                ? 'Safari'
                : 'trình duyệt khác';
  const device = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iPhone/iPad'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'máy Mac'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return ua ? `${browser}${device ? ` trên ${device}` : ''}` : 'không rõ';
}
