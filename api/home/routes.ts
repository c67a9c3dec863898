/**
 * The front page: `/` in a browser leads to the web chat, the console and the API's docs —
 * a newcomer following the printed address lands on a page, not on a JSON 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../context.ts';
import { HtmlPage } from '../http/schemas.ts';
import { publicPage } from '../http/public-page.ts';

export const homeRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app) => {
  app.get(
    '/',
    { schema: { hide: true, response: { 200: { content: { 'text/html': { schema: HtmlPage } } } } } },
    async (_request, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(HOME),
  );
};

const HOME = publicPage(
  'Trang đầu',
  `<h1>Sổ tay Đảng viên</h1>
<p>Dịch vụ giúp đảng viên nhận thông báo, tài liệu, điểm danh, biểu quyết và hỏi Trợ lý ảo ngay trong \
Telegram, Zalo hoặc trên trang web; giúp bí thư chi bộ và cấp ủy theo dõi sinh hoạt của đơn vị.</p>
<ul class="go">
<li><a href="/chat">Web chat</a><br><span class="muted">Dành cho đảng viên: mở bằng đường dẫn có mã liên kết \
do bí thư chi bộ cấp (…/chat?code=…), hoặc nhập mã liên kết khi trang hỏi.</span></li>
<li><a href="/console">Trang quản trị</a><br><span class="muted">Dành cho bí thư chi bộ, cấp ủy và biên tập \
tài liệu: nhắn “quản trị” cho bot trong tin nhắn riêng để nhận đường dẫn đăng nhập dùng một lần.</span></li>
<li><a href="/docs">Tài liệu API</a><br><span class="muted">Dành cho người tích hợp hệ thống \
(OpenAPI; xác thực bằng mã truy cập).</span></li>
</ul>
<p class="muted">Hướng dẫn sử dụng cho đảng viên và bí thư chi bộ: tệp docs/huong-dan.md đi kèm mã nguồn.</p>`,
);
