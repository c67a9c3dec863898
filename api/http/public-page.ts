/**
 * The plain page a browser gets from the service outside the console: the front page, and any
 * refusal or error met by a browser (an unknown address, an expired or forged link). Vietnamese,
 * in the "đồng chí" register, one small stylesheet, no script.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml as h } from './escape-html.ts';

const STYLE = `body{font:17px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;margin:0}
header{background:#8b0000;color:#fff;padding:.6em 1em}header a{color:#fff;text-decoration:none;font-weight:bold}
main{max-width:760px;margin:0 auto;padding:1em}a{color:#0645ad}h1{font-size:1.4em;margin:.4em 0}
.err{border-left:5px solid #8b0000;background:#fbeaea;padding:.5em 1em}ul.go{padding:0;list-style:none}
ul.go li{border:1px solid #bbb;margin:.5em 0;padding:.6em .9em}ul.go a{font-size:1.15em;font-weight:600}
.muted{color:#555}`;

export function publicPage(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8">\
<meta name="viewport" content="width=device-width,initial-scale=1">\
<title>${h(title)} — Sổ tay Đảng viên</title><style>${STYLE}</style></head><body>
<header><a href="/">Sổ tay Đảng viên</a></header><main>${body}</main></body></html>`;
}

/** A refusal or an error as a page: what happened, and where to go from here. */
export function errorPage(title: string, message: string): string {
  return publicPage(
    title,
    `<h1>${h(title)}</h1><p class="err" role="alert">${h(message)}</p>\
<p><a href="/">Về trang đầu</a> · <a href="/chat">Mở web chat</a></p>`,
  );
}

/**
 * A browser asks for a page (its Accept header names text/html); API clients (curl, fetch,
 * the bots' servers) send * / * or application/json and keep getting JSON.
 */
export function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

export function sendPage(reply: FastifyReply, status: number, body: string) {
  return reply.status(status).header('content-type', 'text/html; charset=utf-8').send(body);
}
