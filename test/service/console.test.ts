/**
 * The web console over HTTP on a real database: sign-in through the bot's one-time link,
 * the cookie session and its end, CSRF on forms, the API's roles and subtrees, figures and
 * exports. Refusals must leave the data unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/server.ts';
import type { Deps } from '../../api/context.ts';
import type { Org } from '../../api/orgs/repository.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { loginForm, postLogin } from '../support/console-sign-in.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrg, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { grantRole } from '../../api/auth/roles.ts';
import { handleUpdate } from '../../bot/core/conversation.ts';
import { sendFeedback } from '../../api/feedback/feedback.ts';
import { updateMember } from '../../api/members/update-member.ts';

let t: TestDb;
let deps: Deps;
let app: App;
const clock = new TestClock(new Date('2026-03-10T08:00:00+07:00'));
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let police: Org;
let n = 0;

/** What a member sees after typing `text` to the bot in a private Telegram chat. */
async function say(chatId: string, text: string) {
  return handleUpdate(deps, {
    channel: 'telegram',
    botKey: 'default',
    updateId: `u${++n}`,
    from: { id: chatId },
    chat: { id: chatId, kind: 'private' },
    text,
    receivedAt: clock.now(),
  });
}

/** Signs in through the link the bot sends; returns the cookie header for later requests. */
async function signIn(chatId: string, text = 'quan tri') {
  const [reply] = await say(chatId, text);
  const url = new URL(reply.link!.url);
  const token = url.pathname.split('/').at(-1)!;
  const landing = await app.inject({ method: 'GET', url: url.pathname });
  expect(landing.statusCode).toBe(200);
  expect(landing.body).toContain('Vào trang quản trị');
  const form = await loginForm(app, token);
  const res = await postLogin(app, token, form);
  expect(res.statusCode).toBe(303);
  const set = String(res.headers['set-cookie']);
  return { cookie: set.split(';')[0], setCookie: set, token, form };
}

/** The page's CSRF token and the cookie that goes with it. */
async function formToken(cookie: string, url: string) {
  const res = await app.inject({ method: 'GET', url, headers: { cookie } });
  const token = /name="_csrf" value="([^"]+)"/.exec(res.body)![1];
  const csrfCookie = String(res.headers['set-cookie'] ?? '')
    .split(',')
    .map((c) => c.trim().split(';')[0])
    .find((c) => c.startsWith('sdv_console_csrf='));
  return { token, cookie: csrfCookie ? `${cookie}; ${csrfCookie}` : cookie, page: res.body };
}

let secretary: Awaited<ReturnType<typeof makeSecretary>>;

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
  tree = await makeOrgTree(t.db);
  police = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Công an', {
    deployed: false,
    notDeployedReason: 'Ngành công an triển khai riêng',
  });
  secretary = await makeSecretary(t.db, tree.cellA, { fullName: 'Trần Thị Bí Thư' });
  await linkChat(t.db, secretary.member, 'telegram', '501', 'default');
  for (let i = 0; i < 3; i++) {
    const m = await makeMember(t.db, tree.cellA, { fullName: `Đảng viên A${i}` });
    if (i < 2) await linkChat(t.db, m, i === 0 ? 'zalo' : 'telegram', `a${i}`, 'default');
  }
  for (let i = 0; i < 4; i++) await makeMember(t.db, tree.cellB, { fullName: `Đảng viên B${i}` });
  for (let i = 0; i < 2; i++) await makeMember(t.db, police, { fullName: `Cán bộ công an ${i}` });
  const committeeMember = await makeMember(t.db, tree.cellB, { fullName: 'Lê Văn Cấp Ủy' });
  await grantRole(t.db, (await ensureMemberPrincipal(t.db, committeeMember.id)).id, tree.commune.id, 'committee');
  await linkChat(t.db, committeeMember, 'telegram', '601', 'default');
  const plain = await makeMember(t.db, tree.cellB, { fullName: 'Phạm Văn Thường' });
  await linkChat(t.db, plain, 'telegram', '701', 'default');
});

afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('sign-in from chat', () => {
  it('gives a member with a role a one-time link, typed with or without diacritics or as /admin', async () => {
    for (const text of ['quan tri', 'Quản trị', '/admin']) {
      const [reply] = await say('501', text);
      expect(reply.text).toContain('dùng một lần');
      expect(reply.link?.url).toMatch(/\/console\/login\/[\w-]{43}$/);
    }
  });

  it('tells a member without a role who the console is for, and issues nothing', async () => {
    const before = await t.db.query(`select count(*)::int as n from console_login_links`);
    const [reply] = await say('701', 'quan tri');
    expect(reply.text).toContain('dành cho bí thư chi bộ');
    expect(reply.link).toBeUndefined();
    const after = await t.db.query(`select count(*)::int as n from console_login_links`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('opens a session cookie that is HttpOnly, SameSite=Strict and limited to /console', async () => {
    const { setCookie, cookie } = await signIn('501');
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/console/);
    const home = await app.inject({ method: 'GET', url: '/console', headers: { cookie } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Trần Thị Bí Thư');
    expect(home.body).toContain('Chi bộ A');
  });

  it('refuses a replayed, forged or expired link with a clear page and opens no session', async () => {
    const { token, form } = await signIn('501');
    const sessionsBefore = await t.db.query(`select count(*)::int as n from console_sessions`);
    const replay = await postLogin(app, token, form);
    expect(replay.statusCode).toBe(401);
    expect(replay.headers['content-type']).toContain('text/html');
    expect(replay.body).toContain('đã được dùng hoặc đã hết hạn');
    const forged = await postLogin(app, 'x'.repeat(43), form);
    expect(forged.statusCode).toBe(401);
    const [reply] = await say('501', 'quan tri');
    const late = new URL(reply.link!.url).pathname.split('/').at(-1)!;
    clock.advance(11 * 60_000);
    const expired = await postLogin(app, late, form);
    expect(expired.statusCode).toBe(401);
    const page = await app.inject({ method: 'GET', url: `/console/login/${late}` });
    expect(page.statusCode).toBe(401);
    expect(page.body).toContain('Hãy nhắn "quản trị"');
    const sessionsAfter = await t.db.query(`select count(*)::int as n from console_sessions`);
    expect(sessionsAfter[0].n).toBe(sessionsBefore[0].n);
  });

  it('a cross-site form cannot sign a browser into someone else’s console (login CSRF)', async () => {
    // The attacker's own link, and the CSRF token of the attacker's own sign-in page.
    const [reply] = await say('601', 'quan tri');
    const token = new URL(reply.link!.url).pathname.split('/').at(-1)!;
    const attackers = await loginForm(app, token);
    const sessionsBefore = await t.db.query(`select count(*)::int as n from console_sessions`);
    // The victim's browser posts the attacker's form: no CSRF cookie of its own (SameSite=Strict),
    // with or without the token copied from the attacker's page.
    for (const _csrf of [undefined, attackers.csrf]) {
      const res = await app.inject({ method: 'POST', url: '/console/login', payload: { token, _csrf } });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('Biểu mẫu thiếu mã bảo vệ');
      expect(res.headers['set-cookie'] ?? '').not.toContain('sdv_console=');
    }
    const sessionsAfter = await t.db.query(`select count(*)::int as n from console_sessions`);
    expect(sessionsAfter[0].n).toBe(sessionsBefore[0].n);
    // The link is still good for its owner, through the page's own form.
    expect((await postLogin(app, token, attackers)).statusCode).toBe(303);
  });

  it('ends a session on logout and after its lifetime', async () => {
    const a = await signIn('501');
    const f = await formToken(a.cookie, '/console');
    const out = await app.inject({
      method: 'POST',
      url: '/console/logout',
      headers: { cookie: f.cookie },
      payload: { _csrf: f.token },
    });
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain('Đã đăng xuất');
    const after = await app.inject({ method: 'GET', url: '/console', headers: { cookie: a.cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.body).toContain('Phiên làm việc đã hết hạn hoặc đã đăng xuất');

    const b = await signIn('501');
    clock.advance(9 * 3600_000);
    const old = await app.inject({ method: 'GET', url: '/console', headers: { cookie: b.cookie } });
    expect(old.statusCode).toBe(401);
  });

  it('lists open sessions and ends another one from the console', async () => {
    const first = await signIn('501');
    const second = await signIn('501');
    const f = await formToken(second.cookie, '/console/sessions');
    const list = await app.inject({ method: 'GET', url: '/console/sessions', headers: { cookie: second.cookie } });
    const ids = [...list.body.matchAll(/\/console\/sessions\/(\d+)\/end/g)].map((m) => Number(m[1]));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const firstId = Math.min(...ids);
    const end = await app.inject({
      method: 'POST',
      url: `/console/sessions/${firstId}/end`,
      headers: { cookie: f.cookie },
      payload: { _csrf: f.token },
    });
    expect(end.statusCode).toBe(303);
    expect((await app.inject({ method: 'GET', url: '/console', headers: { cookie: first.cookie } })).statusCode).toBe(
      401,
    );
    expect((await app.inject({ method: 'GET', url: '/console', headers: { cookie: second.cookie } })).statusCode).toBe(
      200,
    );
  });
});

describe('roles and subtrees', () => {
  it("shows a secretary her cell's members and refuses another cell and the commune with 403", async () => {
    const { cookie } = await signIn('501');
    const own = await app.inject({ method: 'GET', url: `/console/units/${tree.cellA.id}`, headers: { cookie } });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Đảng viên A0');
    expect(own.body).toContain('Chưa liên kết');
    for (const id of [tree.cellB.id, tree.commune.id]) {
      const other = await app.inject({ method: 'GET', url: `/console/units/${id}`, headers: { cookie } });
      expect(other.statusCode).toBe(403);
      expect(other.body).toContain('Không có quyền truy cập');
      expect(other.body).not.toContain('Đảng viên B0');
    }
    const csv = await app.inject({
      method: 'GET',
      url: `/console/units/${tree.cellB.id}/members.csv`,
      headers: { cookie },
    });
    expect(csv.statusCode).toBe(403);
  });

  const csrfRefused =
    'refuses a form posted without its CSRF token and changes nothing; with it, the meeting is scheduled';
  it(csrfRefused, async () => {
    const { cookie } = await signIn('501');
    const url = `/console/units/${tree.cellA.id}/meetings`;
    const payload = { kind: 'regular', startsAt: '2026-03-20T19:30', mode: 'in_person', place: 'Nhà văn hóa' };
    const count = async () =>
      (await t.db.query(`select count(*)::int as n from meetings where cell_id = $1`, [tree.cellA.id]))[0].n;
    const before = await count();
    const bare = await app.inject({ method: 'POST', url, headers: { cookie }, payload });
    expect(bare.statusCode).toBe(403);
    expect(bare.body).toContain('thiếu mã bảo vệ');
    expect(await count()).toBe(before);

    const f = await formToken(cookie, url);
    const ok = await app.inject({
      method: 'POST',
      url,
      headers: { cookie: f.cookie },
      payload: { ...payload, _csrf: f.token },
    });
    expect(ok.statusCode).toBe(303);
    expect(await count()).toBe(before + 1);
    const meeting = await app.inject({ method: 'GET', url: String(ok.headers.location), headers: { cookie } });
    expect(meeting.body).toContain('Đã lên lịch buổi họp');

    // A token from another session is not good for this one.
    const other = await signIn('501');
    const stolen = await app.inject({
      method: 'POST',
      url,
      headers: { cookie: `${other.cookie}; ${f.cookie.split('; ')[1]}` },
      payload: { ...payload, _csrf: f.token },
    });
    expect(stolen.statusCode).toBe(403);
    expect(await count()).toBe(before + 1);

    // Another cell's id in the URL: 403 and nothing scheduled there.
    const g = await formToken(cookie, url);
    const elsewhere = await app.inject({
      method: 'POST',
      url: `/console/units/${tree.cellB.id}/meetings`,
      headers: { cookie: g.cookie },
      payload: { ...payload, _csrf: g.token },
    });
    expect(elsewhere.statusCode).toBe(403);
    expect((await t.db.query(`select count(*)::int as n from meetings where cell_id = $1`, [tree.cellB.id]))[0].n).toBe(
      0,
    );
  });
});

describe('committee dashboard', () => {
  it('sums its subtree, ranks the units, names those below target and leaves excluded units out', async () => {
    const { cookie } = await signIn('601');
    const res = await app.inject({ method: 'GET', url: `/console/units/${tree.committee.id}`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(Buffer.byteLength(res.body)).toBeLessThan(150_000);
    // Cell A: 4 members, 3 linked (75 %); cell B: 6 members, 2 linked; police cell excluded.
    expect(res.body).toMatch(/Đảng viên<b>10<\/b>/);
    expect(res.body).toMatch(/Đã liên kết chat<b>5<\/b>/);
    expect(res.body).toContain('Đơn vị dưới mục tiêu 90 %: Chi bộ A (75 %); Chi bộ B (33,3 %)');
    expect(res.body).toContain('Chi bộ Công an — 2 đảng viên. Lý do: Ngành công an triển khai riêng');
    expect(res.body).toContain('<svg');
    expect(res.body.indexOf('>Chi bộ A</a>')).toBeLessThan(res.body.indexOf('>Chi bộ B</a>'));

    const csv = await app.inject({
      method: 'GET',
      url: `/console/units/${tree.committee.id}/units.csv`,
      headers: { cookie },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Chi bộ A,4,4,0,3,75');
    expect(csv.body).toContain('Chi bộ Công an,2,2,0,0,,0,0,0,0,Không tính: Ngành công an triển khai riêng');
    const xlsx = await app.inject({
      method: 'GET',
      url: `/console/units/${tree.committee.id}/units.xlsx`,
      headers: { cookie },
    });
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const docx = await app.inject({
      method: 'GET',
      url: `/console/units/${tree.committee.id}/report.docx?month=2026-03`,
      headers: { cookie },
    });
    expect(docx.statusCode).toBe(200);
    expect(docx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });
});

describe('activity in the last 30 days', () => {
  /** A member acts (sends feedback) at a given moment. */
  const act = async (m: { id: number }, at: string) => {
    clock.set(at);
    await sendFeedback(deps, await ensureMemberPrincipal(t.db, m.id), { body: 'Ý kiến' });
  };
  /** The "active in 30 days" column of a unit's row on a console page. */
  const activeOf = (body: string, name: string) =>
    new RegExp(`>${name}</a></td>(?:\\s*<td class="n">[^<]*</td>){6}\\s*<td class="n">(\\d+)</td>`).exec(body)?.[1];

  const countsOncePerUnit =
    'counts each member once, by their last action, in their cell and every unit above, leaving excluded units out';
  it(countsOncePerUnit, async () => {
    // Under the commune whose committee member (chat 601) reads the console.
    const commune = await makeOrg(t.db, 'grassroots_committee', tree.commune, 'Đảng bộ cơ sở Hoạt động');
    const cellX = await makeOrg(t.db, 'cell', commune, 'Chi bộ X');
    const cellY = await makeOrg(t.db, 'cell', commune, 'Chi bộ Y');
    const army = await makeOrg(t.db, 'cell', commune, 'Chi bộ Quân sự', {
      deployed: false,
      notDeployedReason: 'Lực lượng vũ trang triển khai riêng',
    });
    const [x1, x2, y1, a1] = [
      await makeMember(t.db, cellX),
      await makeMember(t.db, cellX),
      await makeMember(t.db, cellY),
      await makeMember(t.db, army),
    ];
    const today = clock.now().toISOString();
    try {
      await act(x2, '2026-01-20T09:00:00+07:00'); // 49 days before: not active
      await act(y1, '2026-01-20T09:00:00+07:00'); // then again today: counted once, today
      await act(x1, '2026-03-09T20:00:00+07:00');
      await act(x1, '2026-03-10T07:00:00+07:00');
      await act(y1, '2026-03-10T07:30:00+07:00');
      await act(a1, '2026-03-10T07:45:00+07:00');
    } finally {
      clock.set(today);
    }
    const { cookie } = await signIn('601', 'quan tri');
    const res = await app.inject({ method: 'GET', url: `/console/units/${commune.id}`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/Hoạt động 30 ngày<b>2<\/b>/);
    expect(activeOf(res.body, 'Chi bộ X')).toBe('1');
    expect(activeOf(res.body, 'Chi bộ Y')).toBe('1');
    expect(activeOf(res.body, 'Chi bộ Quân sự')).toBe('1');
  });

  const countsOnceAcrossDays =
    'keeps counting a member once when their acts are folded on different days, and moves them with their cell';
  it(countsOnceAcrossDays, async () => {
    const commune = await makeOrg(t.db, 'grassroots_committee', tree.commune, 'Đảng bộ cơ sở Chuyển');
    const cellX = await makeOrg(t.db, 'cell', commune, 'Chi bộ Đi');
    const cellY = await makeOrg(t.db, 'cell', commune, 'Chi bộ Đến');
    const [x1, x2] = [await makeMember(t.db, cellX), await makeMember(t.db, cellX)];
    const { cookie } = await signIn('601', 'quan tri');
    const activeIn = async (name: string) => {
      const res = await app.inject({ method: 'GET', url: `/console/units/${commune.id}`, headers: { cookie } });
      return activeOf(res.body, name);
    };
    const today = clock.now().toISOString();
    try {
      await act(x1, '2026-03-01T09:00:00+07:00');
      expect(await activeIn('Chi bộ Đi')).toBe('1'); // read, so folded: x1 counted on 1 March
      await act(x1, '2026-03-08T09:00:00+07:00');
      await act(x2, '2026-03-08T10:00:00+07:00');
      expect(await activeIn('Chi bộ Đi')).toBe('2'); // x1 left 1 March for 8 March: not counted twice
      await t.db.query('update members set cell_id = $2, cell_path = $3 where id = $1', [x1.id, cellY.id, cellY.path]);
      expect(await activeIn('Chi bộ Đi')).toBe('1');
      expect(await activeIn('Chi bộ Đến')).toBe('1');
    } finally {
      clock.set(today);
    }
  });
});

describe("members import and the assistant's questions", () => {
  /** A browser's multipart form post: the CSRF field, then the file. */
  function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
    const boundary = '----console-test-boundary';
    const parts = Object.entries(fields).map(
      ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
    );
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
        `Content-Type: text/csv\r\n\r\n${file.content}\r\n`,
    );
    return { payload: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
  }
  const header =
    'Họ và tên,Giới tính,Năm sinh,Số thẻ đảng,Điện thoại,Chi bộ,Loại đảng viên,Ngày kết nạp,Ngày chính thức';
  const count = async () =>
    (await t.db.query(`select count(*)::int as n from members where cell_id = $1`, [tree.cellA.id]))[0].n;

  it('shows each bad line in the page and imports nothing; a good file is imported', async () => {
    const { cookie } = await signIn('501');
    const url = `/console/units/${tree.cellA.id}/members`;
    const before = await count();
    const bad =
      `${header}\n` +
      'Nguyễn Văn Mới,Nam,1980,,,Chi bộ A,Chính thức,01/02/2010,01/02/2011\n' +
      'Lê Thị Sai,Không rõ,1985,,,Chi bộ A,Chính thức,01/02/2010,01/02/2011\n';
    const f = await formToken(cookie, url);
    const form = multipart({ _csrf: f.token }, { name: 'ds.csv', content: bad });
    const res = await app.inject({
      method: 'POST',
      url: `${url}/import`,
      headers: { cookie: f.cookie, 'content-type': form.type },
      payload: form.payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Chưa nhập dòng nào');
    expect(res.body).toMatch(/<td class="n">3<\/td>/);
    expect(await count()).toBe(before);

    const noToken = multipart({}, { name: 'ds.csv', content: bad.split('\n').slice(0, 2).join('\n') });
    const refused = await app.inject({
      method: 'POST',
      url: `${url}/import`,
      headers: { cookie: f.cookie, 'content-type': noToken.type },
      payload: noToken.payload,
    });
    expect(refused.statusCode).toBe(403);
    expect(await count()).toBe(before);

    const g = await formToken(cookie, url);
    const good = multipart({ _csrf: g.token }, { name: 'ds.csv', content: bad.split('\n').slice(0, 2).join('\n') });
    const ok = await app.inject({
      method: 'POST',
      url: `${url}/import`,
      headers: { cookie: g.cookie, 'content-type': good.type },
      payload: good.payload,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Đã thêm 1, cập nhật 0, giữ nguyên 0 đảng viên.');
    expect(ok.body).toContain('<h2>Đã thêm (1)</h2><ul><li>Nguyễn Văn Mới</li></ul>');
    expect(await count()).toBe(before + 1);
  });

  it('shows unanswered questions to editors only', async () => {
    const { cookie } = await signIn('501');
    const res = await app.inject({
      method: 'GET',
      url: `/console/units/${tree.cellA.id}/questions`,
      headers: { cookie },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('feedback', () => {
  it('lets the committee answer from the console and shows how long answers took per unit', async () => {
    const [member] = await t.db.query<{ id: number }>(`select id from members where full_name = 'Đảng viên B0'`);
    const sent = await sendFeedback(deps, await ensureMemberPrincipal(t.db, member.id), {
      body: 'Đề nghị họp chi bộ vào buổi tối.',
    });
    clock.advance(3 * 3600_000);
    const { cookie } = await signIn('601');
    const url = `/console/units/${tree.commune.id}/feedback`;
    const f = await formToken(cookie, url);
    const answer = await app.inject({
      method: 'POST',
      url: `/console/feedback/${sent.id}/answer`,
      headers: { cookie: f.cookie },
      payload: { _csrf: f.token, unitId: String(tree.commune.id), answer: 'Chi bộ sẽ họp lúc 19 giờ.' },
    });
    expect(answer.statusCode).toBe(303);
    const [row] = await t.db.query(`select status, answer from feedback where id = $1`, [sent.id]);
    expect(row).toEqual({ status: 'answered', answer: 'Chi bộ sẽ họp lúc 19 giờ.' });
    const page = await app.inject({ method: 'GET', url: String(answer.headers.location), headers: { cookie } });
    expect(page.body).toContain('Đã gửi trả lời cho đảng viên');
    expect(page.body).toMatch(/<td>Chi bộ B<\/td><td class="n">1<\/td><td class="n">1<\/td><td class="n">3<\/td>/);
  });
});

describe('editors upload documents for the assistant', () => {
  let editor: { cookie: string };
  const BOUNDARY = '----console-knowledge-boundary';
  /** A browser's multipart form post: the text fields, then one file. */
  function form(fields: Record<string, string>, file: { name: string; type: string; data: Buffer }) {
    const head = Object.entries(fields)
      .map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('');
    return {
      payload: Buffer.concat([
        Buffer.from(
          `${head}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
            `Content-Type: ${file.type}\r\n\r\n`,
        ),
        file.data,
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]),
      type: `multipart/form-data; boundary=${BOUNDARY}`,
    };
  }
  const doc = Buffer.from(
    '# Quy chế sinh hoạt chi bộ mẫu\n\n### Điều 1. Sinh hoạt thường kỳ\n' +
      'Chi bộ sinh hoạt thường kỳ mỗi tháng một lần vào ngày mùng năm.\n',
  );
  const jobs = async () => (await t.db.query<{ n: number }>(`select count(*)::int as n from kb_jobs`))[0].n;

  beforeAll(async () => {
    const m = await makeMember(t.db, tree.cellB, { fullName: 'Võ Thị Biên Tập' });
    await grantRole(t.db, (await ensureMemberPrincipal(t.db, m.id)).id, tree.commune.id, 'editor');
    await linkChat(t.db, m, 'telegram', '801', 'default');
    editor = await signIn('801');
  });

  it('shows the upload form and the documents; an upload is followed to its result and then listed', async () => {
    const url = `/console/units/${tree.commune.id}/knowledge`;
    const home = await app.inject({ method: 'GET', url: '/console', headers: { cookie: editor.cookie } });
    expect(home.body).toContain(`href="${url}"`);
    const empty = await app.inject({ method: 'GET', url, headers: { cookie: editor.cookie } });
    expect(empty.statusCode).toBe(200);
    expect(Buffer.byteLength(empty.body)).toBeLessThan(150_000);
    expect(empty.body).toContain('Chưa có tài liệu nào.');
    expect(empty.body).toContain('<progress id="kb-bar"');
    expect(empty.body).toMatch(/<label for="kb-file">Tệp<\/label><input id="kb-file" name="file" type="file" required/);
    // Only the page's own upload script may run, and it may talk to this origin only.
    const csp = String(empty.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'; connect-src 'self'/);
    expect(csp).toContain("default-src 'none'");

    const f = await formToken(editor.cookie, url);
    const body = form(
      { _csrf: f.token, title: 'Quy chế sinh hoạt chi bộ (bản tải lên)' },
      { name: 'quy-che-chi-bo.md', type: 'text/markdown', data: doc },
    );
    const posted = await app.inject({
      method: 'POST',
      url,
      headers: { cookie: f.cookie, 'content-type': body.type },
      payload: body.payload,
    });
    expect(posted.statusCode).toBe(303);
    const jobUrl = String(posted.headers.location);
    expect(jobUrl).toMatch(/^\/console\/knowledge\/jobs\/\d+$/);

    // The page the form lands on without script: reloads itself while the job runs, then the result.
    let status: { status: string; chunks: number | null; error: string | null } = {
      status: 'running',
      chunks: null,
      error: null,
    };
    for (let i = 0; i < 200 && status.status === 'running'; i++) {
      const page = await app.inject({ method: 'GET', url: jobUrl, headers: { cookie: editor.cookie } });
      expect(page.statusCode).toBe(200);
      const res = await app.inject({ method: 'GET', url: `${jobUrl}/status`, headers: { cookie: editor.cookie } });
      status = res.json();
      if (status.status === 'running') {
        expect(page.body).toContain('<meta http-equiv="refresh" content="3">');
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    expect(status).toMatchObject({ status: 'done', error: null });
    expect(status.chunks).toBeGreaterThan(0);
    const result = await app.inject({ method: 'GET', url: jobUrl, headers: { cookie: editor.cookie } });
    expect(result.body).toContain(`Đã nạp xong: ${status.chunks} đoạn`);
    expect(result.body).not.toContain('http-equiv="refresh"');

    const listed = await app.inject({ method: 'GET', url, headers: { cookie: editor.cookie } });
    expect(listed.body).toContain('<td>Quy chế sinh hoạt chi bộ (bản tải lên)</td>');
    expect(listed.body).toContain('quy-che-chi-bo.md');
    expect(listed.body).toMatch(new RegExp(`Đã nạp xong</td><td class="n">${status.chunks}</td>`));
    // The document answers members beneath the unit.
    const [row] = await t.db.query(`select title, org_id from kb_documents where filename = 'quy-che-chi-bo.md'`);
    expect(row).toEqual({ title: 'Quy chế sinh hoạt chi bộ (bản tải lên)', org_id: tree.commune.id });
  });

  it('refuses a secretary without the editor role and another unit with 403; nothing starts', async () => {
    const secretary = await signIn('501');
    const own = `/console/units/${tree.cellA.id}/knowledge`;
    const page = await app.inject({ method: 'GET', url: own, headers: { cookie: secretary.cookie } });
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Không có quyền truy cập');
    const before = await jobs();
    // The secretary has a token from a page she may open; the upload is still refused.
    const f = await formToken(secretary.cookie, `/console/units/${tree.cellA.id}/members`);
    const body = form({ _csrf: f.token }, { name: 'quy-che.md', type: 'text/markdown', data: doc });
    const refused = await app.inject({
      method: 'POST',
      url: own,
      headers: { cookie: f.cookie, 'content-type': body.type },
      payload: body.payload,
    });
    expect(refused.statusCode).toBe(403);

    // The editor of the commune is no editor of the province above it.
    const g = await formToken(editor.cookie, `/console/units/${tree.commune.id}/knowledge`);
    const above = `/console/units/${tree.province.id}/knowledge`;
    expect((await app.inject({ method: 'GET', url: above, headers: { cookie: editor.cookie } })).statusCode).toBe(403);
    const elsewhere = form({ _csrf: g.token }, { name: 'quy-che.md', type: 'text/markdown', data: doc });
    const other = await app.inject({
      method: 'POST',
      url: above,
      headers: { cookie: g.cookie, 'content-type': elsewhere.type },
      payload: elsewhere.payload,
    });
    expect(other.statusCode).toBe(403);
    const [job] = await t.db.query<{ id: number }>(`select id from kb_jobs order by id desc limit 1`);
    const foreignJob = await app.inject({
      method: 'GET',
      url: `/console/knowledge/jobs/${job.id}/status`,
      headers: { cookie: secretary.cookie },
    });
    expect(foreignJob.statusCode).toBe(403);
    expect(await jobs()).toBe(before);
  });

  it('refuses a body over the upload limit, a form without its token and a type it cannot read', async () => {
    const url = `/console/units/${tree.commune.id}/knowledge`;
    const before = await jobs();
    const f = await formToken(editor.cookie, url);
    const huge = form(
      { _csrf: f.token },
      { name: 'lon.pdf', type: 'application/pdf', data: Buffer.alloc(21 * 1024 * 1024) },
    );
    const big = await app.inject({
      method: 'POST',
      url,
      headers: { cookie: f.cookie, 'content-type': huge.type },
      payload: huge.payload,
    });
    expect(big.statusCode).toBe(413);
    expect(big.body).toContain('quá lớn');

    const bare = form({}, { name: 'quy-che.md', type: 'text/markdown', data: doc });
    const noToken = await app.inject({
      method: 'POST',
      url,
      headers: { cookie: f.cookie, 'content-type': bare.type },
      payload: bare.payload,
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain('thiếu mã bảo vệ');

    const g = await formToken(editor.cookie, url);
    const exe = form(
      { _csrf: g.token },
      { name: 'virus.exe', type: 'application/octet-stream', data: Buffer.from('MZ') },
    );
    const wrong = await app.inject({
      method: 'POST',
      url,
      headers: { cookie: g.cookie, 'content-type': exe.type },
      payload: exe.payload,
    });
    expect(wrong.statusCode).toBe(415);
    expect(wrong.body).toContain('Chỉ nhận tệp .md');
    expect(await jobs()).toBe(before);
  });
});

describe('roles and the audit log', () => {
  it('shows a committee what was done in its subtree, and no one else', async () => {
    const member = await makeMember(t.db, tree.cellA, { fullName: 'Đảng Viên Được Sửa' });
    await updateMember(deps, secretary.principal, member.id, { phone: '0912 000 111' });
    const sec = await signIn('501');
    expect(
      (await app.inject({ url: `/console/units/${tree.cellA.id}/members.csv`, headers: { cookie: sec.cookie } }))
        .statusCode,
    ).toBe(200);
    // The secretary reads no log; the committee of the commune reads its subtree's.
    expect(
      (await app.inject({ url: `/console/units/${tree.cellA.id}/audit`, headers: { cookie: sec.cookie } })).statusCode,
    ).toBe(403);
    const committee = await signIn('601');
    const home = await app.inject({ url: '/console', headers: { cookie: committee.cookie } });
    expect(home.body).toContain(`/console/units/${tree.commune.id}/audit`);
    const log = await app.inject({
      url: `/console/units/${tree.commune.id}/audit`,
      headers: { cookie: committee.cookie },
    });
    expect(log.statusCode).toBe(200);
    expect(log.body).toContain('Nhật ký thao tác');
    const row = (action: string) => log.body.split('<tr>').find((r) => r.includes(action)) ?? '';
    expect(row('Sửa hồ sơ đảng viên')).toContain('Đảng Viên Được Sửa');
    expect(row('Sửa hồ sơ đảng viên')).toContain('Sửa: điện thoại');
    expect(row('Sửa hồ sơ đảng viên')).not.toContain('0912 000 111');
    expect(row('Xuất dữ liệu')).toContain('danh sách đảng viên (CSV)');
    expect(row('Xuất dữ liệu')).toContain('Trần Thị Bí Thư');
  });

  it('lets an admin see every role beneath the unit and remove one, with a form that needs its token', async () => {
    const adminMember = await makeMember(t.db, tree.cellB, { fullName: 'Hoàng Văn Quản Trị' });
    await grantRole(t.db, (await ensureMemberPrincipal(t.db, adminMember.id)).id, tree.commune.id, 'admin');
    await linkChat(t.db, adminMember, 'telegram', '9801', 'default');
    const deputy = await makeSecretary(t.db, tree.cellB, { fullName: 'Vũ Thị Phó Bí Thư' });
    const admin = await signIn('9801');
    const f = await formToken(admin.cookie, `/console/units/${tree.commune.id}/roles`);
    expect(f.page).toContain('Vũ Thị Phó Bí Thư');
    expect(f.page).toContain('Trần Thị Bí Thư');
    const [grant] = await t.db.query<{ id: number }>(`select id from role_grants where principal_id = $1`, [
      deputy.principal.id,
    ]);
    const forged = await app.inject({
      method: 'POST',
      url: `/console/roles/${grant.id}/remove`,
      headers: { cookie: f.cookie },
      payload: { unitId: String(tree.commune.id) },
    });
    expect(forged.statusCode).toBe(403);
    const res = await app.inject({
      method: 'POST',
      url: `/console/roles/${grant.id}/remove`,
      headers: { cookie: f.cookie },
      payload: { _csrf: f.token, unitId: String(tree.commune.id) },
    });
    expect(res.statusCode).toBe(303);
    const after = await app.inject({ url: res.headers.location as string, headers: { cookie: f.cookie } });
    expect(after.body).toContain('Đã bỏ vai trò');
    expect(after.body).not.toContain('Vũ Thị Phó Bí Thư');
    // The committee may read the unit, not its roles.
    const committee = await signIn('601');
    expect(
      (await app.inject({ url: `/console/units/${tree.commune.id}/roles`, headers: { cookie: committee.cookie } }))
        .statusCode,
    ).toBe(403);
  });
});
