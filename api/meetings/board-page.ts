/**
 * The bulletin board as a page for the cell's members (issue 28), opened from the signed link
 * in the result message: the totals, every counted tracker (a member finds theirs, or asks the
 * page with ?ma=), and how anyone can check the count themselves. No script: it reads on any phone.
 */
import { escapeHtml as h } from '../http/escape-html.ts';
import { publicPage } from '../http/public-page.ts';
import type { BulletinBoard } from './sealed-ballots.ts';

export function boardPage(board: BulletinBoard, jsonUrl: string, sought: string | undefined): string {
  const want = sought?.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const found = want ? board.ballots.some((b) => b.tracker.replace('-', '') === want) : undefined;
  const answer =
    found === undefined
      ? ''
      : found
        ? `<p role="status">✅ Mã phiếu <b>${h(sought ?? '')}</b> có trên bảng: phiếu của đồng chí đã được tính.</p>`
        : `<p class="err" role="alert">Không thấy mã phiếu <b>${h(sought ?? '')}</b> trên bảng. Xin đồng chí ` +
          'kiểm tra lại mã trong tin nhắn của bot; nếu đúng mà vẫn không thấy, báo ngay cho ban kiểm phiếu.</p>';
  const totals = board.labels.map((l, i) => `<tr><td>${h(l)}</td><td>${board.totals[i]}</td></tr>`).join('');
  const trackers = board.ballots.map((b) => `<li><code>${h(b.tracker)}</code></li>`).join('');
  return publicPage(
    `Bảng kiểm phiếu: ${board.title}`,
    `<h1>Bảng kiểm phiếu kín: ${h(board.title)}</h1>
<p class="muted">Mỗi phiếu được mã hóa ngay khi bỏ; chỉ tổng số được giải mã, kèm bằng chứng. Trên bảng không có
tên người bỏ phiếu và không có lựa chọn của ai.</p>
<h2>Kết quả (phiếu trực tuyến và phiếu giấy cộng lại)</h2>
<table><tbody>${totals}</tbody></table>
<h2>Tìm mã phiếu của đồng chí</h2>
<form method="get"><label>Mã phiếu <input name="ma" maxlength="20" value="${h(sought ?? '')}"></label>
<button>Tìm</button></form>${answer}
<h2>${board.ballots.length} phiếu trực tuyến đã tính</h2><ul>${trackers}</ul>
<h2>Tự kiểm tra lại</h2>
<p>Tải <a href="${h(jsonUrl)}">toàn bộ bảng (JSON)</a> rồi chạy <code>npm run verify-ballots -- ${h(jsonUrl)}</code>:
chương trình kiểm tra từng phiếu, cộng lại các phiếu đã mã hóa và bằng chứng giải mã, rồi in ra tổng số.</p>`,
  );
}
