/**
 * The notice as a small server-rendered page: no JavaScript, plain HTML that an old phone
 * browser or a computer opens alike, reached through the member's signed, expiring link.
 * "Đã đọc" is a plain form button.
 */
import MarkdownIt from 'markdown-it';
import type { Deps } from '../context.ts';
import { findNotice, KIND_LABELS } from './notice.ts';
import { escapeHtml } from '../http/escape-html.ts';
import { PAGE_STYLE } from '../http/web-page.ts';
import { formatVietnamDateTime } from '../text/vietnam-time.ts';

// html: false — a notice's Markdown can never inject markup or script into the page.
const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

export async function renderNoticePage(
  deps: Pick<Deps, 'db'>,
  noticeId: number,
  memberId: number,
  selfPath: string,
): Promise<string | null> {
  const notice = await findNotice(deps.db, noticeId);
  if (!notice) return null;
  const [recipient] = await deps.db.query<{ readAt: Date | null }>(
    `select read_at as "readAt" from notice_recipients where notice_id = $1 and member_id = $2`,
    [noticeId, memberId],
  );
  if (!recipient) return null;
  const files = await deps.db.query<{ id: number; filename: string; text: string | null }>(
    `select id, filename, text from notice_attachments where notice_id = $1 order by id`,
    [noticeId],
  );
  const details = (text: string) =>
    '<details><summary>Nội dung văn bản</summary>' +
    `<pre style="white-space:pre-wrap">${escapeHtml(text.slice(0, 20000))}</pre></details>`;
  const item = (f: { id: number; filename: string; text: string | null }) =>
    `<li><a href="${escapeHtml(selfPath)}/a/${f.id}">${escapeHtml(f.filename)}</a>` +
    `${f.text ? details(f.text) : ''}</li>`;
  const attachments = files.length
    ? `<h2 style="font-size:1.1em">Tệp đính kèm</h2><ul>${files.map(item).join('')}</ul>`
    : '';
  const readPart = recipient.readAt
    ? `<p class="ok" role="status">✔ Đồng chí đã xác nhận đã đọc (${formatVietnamDateTime(recipient.readAt)}).</p>`
    : `<form method="post" action="${escapeHtml(selfPath)}/read"><button type="submit">Đã đọc</button></form>`;
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(notice.title)}</title>
<style>${PAGE_STYLE}</style>
</head><body>
<p class="k">${escapeHtml(KIND_LABELS[notice.kind])}</p>
<h1>${escapeHtml(notice.title)}</h1>
${md.render(notice.body)}
${attachments}
${readPart}
</body></html>`;
}
