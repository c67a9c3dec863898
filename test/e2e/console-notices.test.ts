/**
 * Notices from the console end to end: a committee member signs in through the bot's link,
 * composes a notice with attachments (a multipart form with its CSRF token), and a member
 * gets it on the fake Telegram and opens the files from her link; then "Nhắc lại những đồng
 * chí chưa đọc" reaches only the members who have not read it, once — a second press within
 * the window is refused and sends nothing.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { PNG } from 'pngjs';
import { pressSignIn } from '../support/console-sign-in.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { TestClock, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { grantRole } from '../../api/auth/roles.ts';
import { createApiToken } from '../../api/auth/tokens.ts';
import { publishNotice } from '../../api/notices/publish-notice.ts';
import type { Deps } from '../../api/context.ts';
import type { Member } from '../../api/members/repository.ts';
import type { Principal } from '../../api/auth/principal.ts';
import { FakeTelegram, startServiceWithBots, telegramDriver, waitFor, type Running } from '../support/bot-harness.ts';

const TG = '778:CONSOLE-NOTICES';
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let svc: Running;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let committee: Principal;
const readers: Member[] = [];
const clock = new TestClock(new Date());

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  telegram = await new FakeTelegram([TG]).start();
  svc = await startServiceWithBots(deps, { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_API_ROOT: telegram.root }, false);
  tree = await makeOrgTree(t.db);
  const c = await makeMember(t.db, tree.cellB, { fullName: 'Lê Văn Cấp Ủy' });
  committee = await ensureMemberPrincipal(t.db, c.id);
  await grantRole(t.db, committee.id, tree.commune.id, 'committee');
  await linkChat(t.db, c, 'telegram', '7001', 'telegram');
  for (let i = 0; i < 3; i++) {
    const m = await makeMember(t.db, tree.cellA, { fullName: `Đảng viên Đọc ${i + 1}` });
    await linkChat(t.db, m, 'telegram', `710${i + 1}`, 'telegram');
    readers.push(m);
  }
  const sec = await makeSecretary(t.db, tree.cellB, { fullName: 'Bí Thư Chi Bộ B' });
  await linkChat(t.db, sec.member, 'telegram', '7201', 'telegram');
});
afterAll(async () => {
  await svc?.close();
  await telegram?.close();
  await t?.close();
});

/** "quản trị" to the bot on Telegram → the link it sends → the sign-in button; the session cookie. */
async function signIn(chatId: string): Promise<string> {
  const tg = telegramDriver(deps, telegram, TG, 'telegram', 'polling');
  const replies = await tg.say({ id: chatId }, 'quản trị');
  const url = /(http\S+\/console\/login\/[\w-]+)/.exec(replies.join('\n'))![1];
  const token = new URL(url).pathname.split('/').at(-1)!;
  const res = await pressSignIn(svc.app, token);
  expect(res.statusCode).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0];
}

/** The page's CSRF token and the cookie that goes with it. */
async function formToken(cookie: string, url: string) {
  const res = await svc.app.inject({ method: 'GET', url, headers: { cookie } });
  expect(res.statusCode).toBe(200);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.body)![1];
  const csrfCookie = String(res.headers['set-cookie'] ?? '')
    .split(',')
    .map((x) => x.trim().split(';')[0])
    .find((x) => x.startsWith('sdv_console_csrf='));
  return { token, cookie: csrfCookie ? `${cookie}; ${csrfCookie}` : cookie, page: res.body };
}

/** A browser's multipart post of the compose form: fields, then the files of the `attachments` input. */
function composeForm(fields: Record<string, string>, files: { name: string; type: string; data: Buffer }[]) {
  const b = '----notice-form-boundary';
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) =>
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
  );
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="attachments"; filename="${f.name}"\r\n` +
          `Content-Type: ${f.type}\r\n\r\n`,
      ),
      f.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${b}--\r\n`));
  return { payload: Buffer.concat(parts), type: `multipart/form-data; boundary=${b}` };
}

const pdf = () =>
  new Promise<Buffer>((resolve) => {
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.text('Ke hoach hoi nghi thang 3');
    doc.end();
  });
const png = () => {
  const image = new PNG({ width: 2, height: 2 });
  image.data.fill(200);
  return PNG.sync.write(image);
};
/**
 * A POST whose body is sent chunked (no Content-Length) over a connection of its own, dropped
 * once the answer is read: a refused body must not be followed by another request on it.
 */
function chunkedPost(path: string, headers: Record<string, string>, body: Buffer) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    let answered = false;
    const req = http.request(`${svc.baseUrl}${path}`, { method: 'POST', agent: false, headers }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: text });
        req.destroy();
      });
    });
    // The server may answer and close while the body is still being written (EPIPE): the answer
    // already on the socket is still read. When the close outruns the answer (the peer resets a
    // connection with unread data), the client sees only the reset: status 0.
    let broken = false;
    req.on('error', (e) => {
      broken = true;
      const code = (e as NodeJS.ErrnoException).code;
      setTimeout(() => {
        if (answered) return;
        if (code === 'EPIPE' || code === 'ECONNRESET') resolve({ status: 0, body: '' });
        else reject(e);
      }, 2000);
    });
    let sent = 0;
    const pump = () => {
      if (answered || broken) return;
      if (sent >= body.length) return req.end();
      const next = body.subarray(sent, sent + 256 * 1024);
      sent += next.length;
      if (req.write(next)) setImmediate(pump);
      else req.once('drain', pump);
    };
    pump();
  });
}
const local = (url: string) => url.replace(/^http:\/\/localhost:\d+/, svc.baseUrl);
const reminderRows = async (noticeId: number) =>
  t.db.query<{ memberId: number }>(
    `select member_id as "memberId" from outbox_messages
      where kind = 'notice.reminder' and ref_id = $1 order by member_id`,
    [String(noticeId)],
  );
const reminders = (chatId: string) => telegram.sentTo(chatId).filter((m) => m.text?.includes('⏰ Nhắc'));

describe('a notice composed in the console', () => {
  it('carries its attachments to a member on Telegram, who opens them from her link', async () => {
    const cookie = await signIn('7001');
    const url = `/console/units/${tree.commune.id}/notices`;
    const f = await formToken(cookie, url);
    expect(f.page).toContain('enctype="multipart/form-data"');
    expect(f.page).toMatch(
      /<label for="nfiles">Tệp đính kèm[^<]*<\/label>\s*<input id="nfiles" name="attachments" type="file" multiple/,
    );
    const files = [
      { name: 'ke-hoach.pdf', type: 'application/pdf', data: await pdf() },
      { name: 'so-do.png', type: 'image/png', data: png() },
    ];
    const form = composeForm(
      {
        _csrf: f.token,
        kind: 'notice',
        title: 'Kế hoạch hội nghị tháng 3',
        body: 'Kính gửi các đồng chí **kế hoạch**.',
      },
      files,
    );
    const res = await svc.app.inject({
      method: 'POST',
      url,
      headers: { cookie: f.cookie, 'content-type': form.type },
      payload: form.payload,
    });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers.location)).toMatch(/^\/console\/notices\/\d+\?done=published$/);

    const [msg] = await telegram.waitForSent(7101);
    expect(msg.text).toContain('Thông báo: Kế hoạch hội nghị tháng 3');
    const link = local(/🔗 .*: (http\S+)/.exec(msg.text!)![1]);
    const view = await (await fetch(link)).text();
    for (const file of files) {
      const href = new RegExp(`href="([^"]+/a/\\d+)">${file.name}</a>`).exec(view)?.[1];
      expect(href, file.name).toBeTruthy();
      const got = await fetch(`${svc.baseUrl}${href}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe(file.type);
      expect(Buffer.from(await got.arrayBuffer()).equals(file.data)).toBe(true);
    }
    // The PDF's text is kept beside it, readable on any phone.
    expect(view).toContain('Ke hoach hoi nghi thang 3');
  });

  it('shows the form again with what was typed when an attachment is refused, and publishes nothing', async () => {
    const cookie = await signIn('7001');
    const url = `/console/units/${tree.commune.id}/notices`;
    const count = async () => (await t.db.query<{ n: number }>(`select count(*)::int as n from notices`))[0].n;
    const before = await count();
    const f = await formToken(cookie, url);
    const form = composeForm({ _csrf: f.token, kind: 'study', title: 'Tài liệu học tập', body: 'Nội dung học tập.' }, [
      { name: 'virus.exe', type: 'application/x-msdownload', data: Buffer.from('MZ') },
    ]);
    const res = await svc.app.inject({
      method: 'POST',
      url,
      headers: { cookie: f.cookie, 'content-type': form.type },
      payload: form.payload,
    });
    expect(res.statusCode).toBe(415);
    expect(res.body).toContain('chỉ nhận PDF, DOCX, PNG, JPEG');
    expect(res.body).toContain('value="Tài liệu học tập"');
    expect(res.body).toContain('<option value="study" selected>');
    expect(await count()).toBe(before);

    // Eleven files: more than a notice may carry.
    const g = await formToken(cookie, url);
    const many = composeForm(
      { _csrf: g.token, kind: 'notice', title: 'Nhiều tệp', body: 'x' },
      Array.from({ length: 11 }, (_, i) => ({ name: `anh-${i}.png`, type: 'image/png', data: png() })),
    );
    const tooMany = await svc.app.inject({
      method: 'POST',
      url,
      headers: { cookie: g.cookie, 'content-type': many.type },
      payload: many.payload,
    });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.body).toContain('tối đa 10 tệp');
    expect(await count()).toBe(before);

    // Three files each under the per-file bound, sent without Content-Length, past the form's
    // 40 MB: counted as the bytes arrive and refused.
    const h = await formToken(cookie, url);
    const big = composeForm(
      { _csrf: h.token, kind: 'notice', title: 'Tệp lớn', body: 'x' },
      Array.from({ length: 3 }, (_, i) => ({
        name: `lon-${i}.pdf`,
        type: 'application/pdf',
        data: Buffer.alloc(14 * 1024 * 1024),
      })),
    );
    const chunked = await chunkedPost(url, { cookie: h.cookie, 'content-type': big.type }, big.payload);
    // Refused: the 413 page, or (when the connection is cut before it arrives) the reset itself.
    expect([413, 0]).toContain(chunked.status);
    if (chunked.status === 413) expect(chunked.body).toContain('quá lớn');
    expect(await count()).toBe(before);
  });
});

describe('reminding the members who have not read a notice', () => {
  it('reaches only the unread members, once; a second press within the window is refused', async () => {
    const n = await publishNotice(deps, committee, {
      orgId: tree.cellA.id,
      kind: 'notice',
      title: 'Họp chi bộ mở rộng',
      body: 'Đề nghị các đồng chí đọc và xác nhận.',
    });
    for (const chat of ['7101', '7102', '7103'])
      await waitFor(() => telegram.sentTo(chat).some((m) => m.text?.includes('Họp chi bộ mở rộng')), 10_000, chat);
    // One member reads it, from her link.
    const [first] = telegram.sentTo(7101).filter((m) => m.text?.includes('Họp chi bộ mở rộng'));
    const read = await fetch(`${local(/🔗 .*: (http\S+)/.exec(first.text!)![1])}/read`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(read.status).toBe(303);

    const cookie = await signIn('7001');
    const page = `/console/notices/${n.id}`;
    const f = await formToken(cookie, page);
    expect(f.page).toContain('2 đồng chí chưa xác nhận đã đọc');
    expect(f.page).toContain('Chưa nhắc lại lần nào.');
    const press = (token = f) =>
      svc.app.inject({
        method: 'POST',
        url: `${page}/remind`,
        headers: { cookie: token.cookie },
        payload: { _csrf: token.token },
      });
    const ok = await press();
    expect(ok.statusCode).toBe(303);
    const after = await svc.app.inject({ method: 'GET', url: String(ok.headers.location), headers: { cookie } });
    expect(after.body).toContain('Đã xếp gửi lời nhắc tới những đồng chí chưa đọc.');
    expect(after.body).toMatch(/Lần nhắc gần nhất: [^—]+— 2 đồng chí chưa đọc, 2 tin nhắn đã xếp gửi\./);

    for (const chat of ['7102', '7103']) {
      await waitFor(() => reminders(chat).length === 1, 10_000, `reminder to ${chat}`);
      const [r] = reminders(chat);
      expect(r.text).toContain('chưa xác nhận đã đọc "Họp chi bộ mở rộng"');
      expect(r.replyMarkup?.inline_keyboard?.flat()[0].text).toBe('Đã đọc');
    }
    expect((await reminderRows(n.id)).map((r) => r.memberId)).toEqual([readers[1].id, readers[2].id]);

    // Pressed again an hour later: refused, with why and when; nothing more is queued or sent.
    clock.advance(3600_000);
    const g = await formToken(cookie, page);
    const again = await press(g);
    expect(again.statusCode).toBe(429);
    expect(again.body).toContain('chỉ nhắc lại cách nhau ít nhất 6 giờ');
    expect(again.body).toContain('2 đồng chí chưa đọc');
    await new Promise((r) => setTimeout(r, 300));
    expect(await reminderRows(n.id)).toHaveLength(2);
    expect(reminders('7102')).toHaveLength(1);
    expect(reminders('7101')).toHaveLength(0);

    // After the window: a second round to whoever is still unread.
    clock.advance(6 * 3600_000);
    const later = await signIn('7001');
    const h = await formToken(later, page);
    expect((await press(h)).statusCode).toBe(303);
    await waitFor(() => reminders('7103').length === 2, 10_000, 'second round');
    expect(reminders('7101')).toHaveLength(0);
  });

  it('a double click queues one round; a secretary of another cell is refused; the API reminds too', async () => {
    const n = await publishNotice(deps, committee, {
      orgId: tree.cellA.id,
      kind: 'news',
      title: 'Tin chi bộ',
      body: 'Nội dung.',
    });
    const cookie = await signIn('7001');
    const page = `/console/notices/${n.id}`;
    const f = await formToken(cookie, page);
    const press = () =>
      svc.app.inject({
        method: 'POST',
        url: `${page}/remind`,
        headers: { cookie: f.cookie },
        payload: { _csrf: f.token },
      });
    const statuses = (await Promise.all([press(), press()])).map((r) => r.statusCode).sort();
    expect(statuses).toEqual([303, 429]);
    expect(await reminderRows(n.id)).toHaveLength(3);
    const [round] = await t.db.query(`select count(*)::int as n from notice_reminders where notice_id = $1`, [n.id]);
    expect(round.n).toBe(1);

    const other = await publishNotice(deps, committee, {
      orgId: tree.cellA.id,
      kind: 'news',
      title: 'Tin khác',
      body: 'Nội dung.',
    });
    const secretary = await signIn('7201');
    const s = await formToken(secretary, `/console/units/${tree.cellB.id}/notices`);
    const refused = await svc.app.inject({
      method: 'POST',
      url: `/console/notices/${other.id}/remind`,
      headers: { cookie: s.cookie },
      payload: { _csrf: s.token },
    });
    expect(refused.statusCode).toBe(403);
    expect(await reminderRows(other.id)).toHaveLength(0);

    const token = await createApiToken(t.db, committee.id);
    const api = await svc.app.inject({
      method: 'POST',
      url: `/notices/${other.id}/remind`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ noticeId: other.id, round: 1, members: 3, messages: 3 });
    const twice = await svc.app.inject({
      method: 'POST',
      url: `/notices/${other.id}/remind`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(twice.statusCode).toBe(429);
    expect(await reminderRows(other.id)).toHaveLength(3);
  });
});
