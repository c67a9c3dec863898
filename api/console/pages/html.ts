/**
 * The console's page frame: plain server-rendered HTML with a small inline stylesheet — no
 * script needed to read anything, readable on a 2015 phone, prints cleanly.
 */
import { escapeHtml } from '../../http/escape-html.ts';

export const h = escapeHtml;

export interface Frame {
  title: string;
  /** The signed-in person, when there is one (shows the menu and logout). */
  who?: string;
  csrf?: string;
  /** Reload the page after this many seconds (a job still running, for browsers without script). */
  refreshSeconds?: number;
  /** An inline script at the end of the body; the route's CSP must allow its hash (routes.ts). */
  script?: string;
}

const STYLE = `
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;background:#fff;margin:0}
a{color:#0645ad}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0b400;outline-offset:1px}
header{background:#8b0000;color:#fff;padding:.5em 1em;display:flex;flex-wrap:wrap;gap:.5em 1.5em;align-items:center}
header a{color:#fff}header form{margin:0 0 0 auto}main{max-width:1100px;margin:0 auto;padding:1em}
.skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:#fff;color:#000;padding:.5em;z-index:9}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.2em 0 .4em;border-bottom:2px solid #8b0000}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f2e6e6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #999;padding:.5em .8em;min-width:9em}
.card b{display:block;font-size:1.4em}
.warn{color:#8b0000;font-weight:bold}.ok{color:#0b6b0b}.muted{color:#555}.crumbs{margin:.2em 0}
button,.btn{font:inherit;background:#8b0000;color:#fff;border:0;padding:.4em .9em;cursor:pointer;
  text-decoration:none;display:inline-block}
button.light{background:#eee;color:#000;border:1px solid #777}label{display:block;margin:.4em 0 .1em;font-weight:600}
fieldset{min-width:0}
input,select,textarea{font:inherit;padding:.3em;border:1px solid #555;max-width:100%}textarea{width:100%;min-height:6em}
.row{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-end}
.msg{border-left:5px solid #0b6b0b;background:#eef7ee;padding:.5em 1em}
.err{border-left:5px solid #8b0000;background:#fbeaea;padding:.5em 1em}svg{max-width:100%;height:auto}
@media (max-width:700px){main{padding:.5em}table{display:block;overflow-x:auto;max-width:100%}
  .row{flex-direction:column;align-items:stretch}.card{flex:1 1 40%;min-width:0}header{padding:.5em}
  figure{margin:0;overflow-x:auto}figure svg{max-width:none}
  table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}table.stack thead{display:none}
  table.stack tr{border:1px solid #999;margin:.4em 0}table.stack td{border:0;padding:.2em .5em}
  table.stack td:empty{display:none}table.stack td[data-label]:not(:empty)::before{content:attr(data-label) ": ";
  font-weight:600}}
@media print{header form,header nav,.noprint,form{display:none}a{color:#000;text-decoration:none}}
`;

export function page(frame: Frame, body: string): string {
  const menu = frame.who
    ? `<nav aria-label="Điều hướng chính"><a href="/console">Trang chủ</a> · \
<a href="/console/sessions">Phiên đăng nhập</a></nav>
       <span>${h(frame.who)}</span>
       <form method="post" action="/console/logout">${csrfField(frame.csrf)}\
<button class="light" type="submit">Đăng xuất</button></form>`
    : '';
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8">\
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(frame.title)} — Sổ tay Đảng viên</title><style>${STYLE}</style>${
    frame.refreshSeconds ? `<meta http-equiv="refresh" content="${frame.refreshSeconds}">` : ''
  }</head><body>
<a class="skip" href="#noi-dung">Bỏ qua, tới nội dung chính</a>
<header><strong>Sổ tay Đảng viên · Quản trị</strong>${menu}</header>
<main id="noi-dung">${body}</main>${frame.script ? `<script>${frame.script}</script>` : ''}\
</body></html>`;
}

export const csrfField = (token?: string) => (token ? `<input type="hidden" name="_csrf" value="${h(token)}">` : '');

export const pct = (x: number) => `${(Math.round(x * 1000) / 10).toLocaleString('vi-VN')} %`;
export const num = (n: number) => n.toLocaleString('vi-VN');

export function dateTime(d: Date | null | undefined): string {
  if (!d) return '—';
  return new Intl.DateTimeFormat('vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

/** A whole page for a refusal or an error: what happened and what to do. */
export function messagePage(title: string, message: string, who?: string): string {
  return page(
    { title, who },
    `<h1>${h(title)}</h1><p class="err" role="alert">${h(message)}</p>\
<p><a href="/console">Về trang chủ quản trị</a></p>`,
  );
}

export function notice(text: string | undefined): string {
  return text ? `<p class="msg" role="status">${h(text)}</p>` : '';
}

/**
 * A form the console refused (a date typed wrong, a count missing…): what was typed in it and
 * why, so the page that holds the form is shown again with that form filled in as typed.
 */
export interface RefusedForm {
  /** The refused form's action, e.g. "/console/meetings/7/motions": only that form is refilled. */
  action: string;
  values: Record<string, string | string[] | undefined>;
  error: string;
}

/** The reason a form was refused, at the top of the page, with a link down to the form. */
export function refusedNotice(refused: RefusedForm | undefined): string {
  return refused
    ? `<p class="err" role="alert">${h(refused.error)} <a href="#bieu-mau-bi-tu-choi">Sửa ở biểu mẫu</a>.</p>`
    : '';
}

/**
 * One form's fields as they were typed when that form was refused; for every other form (or
 * when nothing was refused) the values the page would show anyway. Values come back raw: the
 * helpers escape them.
 */
export function typedInto(refused: RefusedForm | undefined, action: string) {
  const values = refused?.action === action ? refused.values : undefined;
  const all = (name: string): string[] => {
    const v = values?.[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const one = (name: string, otherwise = ''): string => (values ? (all(name)[0] ?? '') : otherwise);
  return {
    refused: values !== undefined,
    /** The reason, inside the form (the page's top notice links here). */
    error: values ? `<p class="err" id="bieu-mau-bi-tu-choi">${h(refused!.error)}</p>` : '',
    all,
    one,
    /** ` value="…"` for an input. */
    value: (name: string, otherwise = '') => ` value="${h(one(name, otherwise))}"`,
    /** An option, selected as typed (or as `selectedOtherwise` says when nothing was typed). */
    option: (name: string, value: string, label: string, selectedOtherwise = false) =>
      `<option value="${h(value)}"${(values ? one(name) === value : selectedOtherwise) ? ' selected' : ''}>\
${h(label)}</option>`,
  };
}
