/**
 * Authority stays inside its subtree (issue 12): every write checks rights on every
 * organisation it touches — transfers and periods on the destination, knowledge documents
 * per unit, signed links for their purpose and a document for the meeting's roll, ingest
 * jobs for their unit, paid broadcast for roles allowed to spend, relinking for the bot's
 * subtree. Each refusal changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { findActiveAccount } from '../../api/chat-accounts/repository.ts';
import { parseSpendRules } from '../../api/auth/roles.ts';
import { readConfig } from '../../api/config.ts';
import { redactSignedLinks } from '../../api/http/signed-link.ts';
import { handleUpdate } from '../../bot/core/conversation.ts';
import { bindChatGroup, issueGroupBindCode } from '../../api/chat-groups/bind-chat-group.ts';
import type { App } from '../../api/server.ts';
import type { Deps } from '../../api/context.ts';
import type { Member } from '../../api/members/repository.ts';

let t: TestDb;
let app: App;
let deps: Deps;
const clock = new TestClock(new Date('2026-03-10T01:00:00Z'));
let p1: Awaited<ReturnType<typeof makeOrgTree>>;
let p2: Awaited<ReturnType<typeof makeOrgTree>>;
let admin1: { token: string };
let admin2: { token: string };
let adminBoth: { token: string };

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const count = async (sql: string, params: unknown[] = []) =>
  Number((await t.db.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params))[0].n);

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
  p1 = await makeOrgTree(t.db);
  p2 = await makeOrgTree(t.db);
  admin1 = await makeUserWithRole(t.db, p1.province, 'admin');
  admin2 = await makeUserWithRole(t.db, p2.province, 'admin');
  adminBoth = await makeUserWithRole(t.db, p1.province, 'admin');
  const both = (
    await t.db.query<{ id: number }>(`select principal_id as id from role_grants order by id desc limit 1`)
  )[0];
  await t.db.query(`insert into role_grants (principal_id, org_id, role) values ($1, $2, 'admin')`, [
    both.id,
    p2.province.id,
  ]);
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('moving a member needs the right on the destination too', () => {
  it("an admin of one province cannot transfer a member into another province's cell", async () => {
    const m = await makeMember(t.db, p2.cellA);
    const res = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/transfer`,
      headers: auth(admin2.token),
      payload: { toCellId: p1.cellA.id, transferredOn: '2026-03-01' },
    });
    expect(res.statusCode).toBe(403);
    const [after] = await t.db.query<{ cellId: number }>(`select cell_id as "cellId" from members where id = $1`, [
      m.id,
    ]);
    expect(after.cellId).toBe(p2.cellA.id);
    expect(await count(`select 1 from member_transfers where member_id = $1`, [m.id])).toBe(0);

    const ok = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/transfer`,
      headers: auth(adminBoth.token),
      payload: { toCellId: p1.cellA.id, transferredOn: '2026-03-01' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().cellId).toBe(p1.cellA.id);
  });

  it('a cell secretary cannot transfer into a sibling cell; the committee above both can', async () => {
    const sec = await makeSecretary(t.db, p1.cellA);
    const m = await makeMember(t.db, p1.cellA);
    const refused = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/transfer`,
      headers: auth(sec.token),
      payload: { toCellId: p1.cellB.id, transferredOn: '2026-03-01' },
    });
    expect(refused.statusCode).toBe(403);
    expect(await count(`select 1 from member_transfers where member_id = $1`, [m.id])).toBe(0);
    const committee = await makeUserWithRole(t.db, p1.committee, 'committee');
    const ok = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/transfer`,
      headers: auth(committee.token),
      payload: { toCellId: p1.cellB.id, transferredOn: '2026-03-01' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it("a temporary transfer needs the right on the host cell: the member would join that cell's roll", async () => {
    const m = await makeMember(t.db, p2.cellB);
    const body = { kind: 'temporary_transfer', startsOn: '2026-03-01', hostCellId: p1.cellB.id };
    const refused = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/periods`,
      headers: auth(admin2.token),
      payload: body,
    });
    expect(refused.statusCode).toBe(403);
    expect(await count(`select 1 from member_periods where member_id = $1`, [m.id])).toBe(0);
    // Other dated facts stay with the member's own cell.
    const exempt = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/periods`,
      headers: auth(admin2.token),
      payload: { kind: 'exempt', startsOn: '2026-03-01' },
    });
    expect(exempt.statusCode).toBe(201);
    const ok = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/periods`,
      headers: auth(adminBoth.token),
      payload: body,
    });
    expect(ok.statusCode).toBe(201);
  });
});

describe('knowledge documents are keyed per unit', () => {
  const doc = (body: string, extra = '') =>
    `---\nid: quy-trinh-x\nnumber: "01-HD/X"\ntitle: Hướng dẫn thử nghiệm\n${extra}---\n\n# Hướng dẫn\n\n${body}\n`;
  async function upload(token: string, orgId: number, text: string) {
    const boundary = 'xyzBOUNDARY';
    const payload =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huong-dan.md"\r\n` +
      `Content-Type: text/markdown\r\n\r\n${text}\r\n--${boundary}--\r\n`;
    return app.inject({
      method: 'POST',
      url: `/orgs/${orgId}/knowledge/documents`,
      headers: { ...auth(token), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
  }
  async function finished(token: string, jobId: number) {
    for (let i = 0; i < 200; i++) {
      const res = await app.inject({ method: 'GET', url: `/knowledge/jobs/${jobId}`, headers: auth(token) });
      expect(res.statusCode).toBe(200);
      if (res.json().status !== 'running') return res.json();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('ingest job did not finish');
  }
  const docs = () =>
    t.db.query<{ orgId: number; title: string; status: string; body: string }>(
      `select d.org_id as "orgId", d.title, d.status, string_agg(c.body, ' ' order by c.ord) as body
         from kb_documents d join kb_chunks c on c.document_id = d.id
        where d.doc_key = 'quy-trinh-x' group by d.id order by d.id`,
    );

  const otherProvinceUpload =
    'an editor of another province uploading the same key makes their own document; ' +
    'ours is untouched; jobs stay private';
  it(otherProvinceUpload, async () => {
    const editor1 = await makeUserWithRole(t.db, p1.province, 'editor');
    const editor2 = await makeUserWithRole(t.db, p2.province, 'editor');
    const first = await upload(editor1.token, p1.province.id, doc('Bản của tỉnh một: đảng viên nộp hồ sơ tại chi bộ.'));
    expect(first.statusCode).toBe(202);
    expect((await finished(editor1.token, first.json().jobId)).status).toBe('done');

    // Another province's editor (and anyone else) cannot read our ingest job.
    const peek = await app.inject({
      method: 'GET',
      url: `/knowledge/jobs/${first.json().jobId}`,
      headers: auth(editor2.token),
    });
    expect(peek.statusCode).toBe(403);
    expect(JSON.stringify(peek.json())).not.toContain('huong-dan');
    const member = await makeSecretary(t.db, p1.cellA);
    expect(
      (await app.inject({ method: 'GET', url: `/knowledge/jobs/${first.json().jobId}`, headers: auth(member.token) }))
        .statusCode,
    ).toBe(403);

    // Uploading into a unit the editor has no right on is refused before anything is stored.
    const jobsBefore = await count('select 1 from kb_jobs');
    expect((await upload(editor2.token, p1.province.id, doc('Ghi đè!'))).statusCode).toBe(403);
    expect(await count('select 1 from kb_jobs')).toBe(jobsBefore);

    const second = await upload(editor2.token, p2.province.id, doc('Bản của tỉnh hai: nội dung khác hẳn.'));
    expect((await finished(editor2.token, second.json().jobId)).status).toBe('done');
    const both = await docs();
    expect(both.map((d) => d.orgId)).toEqual([p1.province.id, p2.province.id]);
    expect(both[0].body).toContain('tỉnh một');
    expect(both[1].body).toContain('tỉnh hai');

    // Our own editor replaces our document, and only ours.
    const third = await upload(editor1.token, p1.province.id, doc('Bản sửa của tỉnh một.'));
    expect((await finished(editor1.token, third.json().jobId)).status).toBe('done');
    const after = await docs();
    expect(after).toHaveLength(2);
    expect(after[0].body).toContain('Bản sửa của tỉnh một');
    expect(after[1].body).toContain('tỉnh hai');
  });

  it("a new document supersedes only documents of the loader's subtree", async () => {
    const editor1 = await makeUserWithRole(t.db, p1.province, 'editor');
    const editor2 = await makeUserWithRole(t.db, p2.province, 'editor');
    const old = (body: string) =>
      `---\nid: cu\ntitle: Quy định cũ\nreplaced_by: moi\n---\n\n# Quy định cũ\n\n${body}\n`;
    for (const [e, org] of [
      [editor1, p1.province],
      [editor2, p2.province],
    ] as const) {
      const r = await upload(e.token, org.id, old(`Quy định cũ của ${org.id}.`));
      expect((await finished(e.token, r.json().jobId)).status).toBe('done');
    }
    const neu = await upload(
      editor1.token,
      p1.province.id,
      `---\nid: moi\ntitle: Quy định mới\n---\n\n# Mới\n\nNội dung mới.\n`,
    );
    expect((await finished(editor1.token, neu.json().jobId)).status).toBe('done');
    const rows = await t.db.query<{ orgId: number; status: string }>(
      `select org_id as "orgId", status from kb_documents where doc_key = 'cu' order by org_id`,
    );
    expect(rows).toEqual([
      { orgId: p1.province.id, status: 'superseded' },
      { orgId: p2.province.id, status: 'in_force' },
    ]);
  });
});

describe('signed links carry their purpose; a meeting document opens only for its roll', () => {
  let secA: Awaited<ReturnType<typeof makeSecretary>>;
  let reader: Member;
  let noticeLink: string;
  let docLink: string;
  const pathOf = (url: string) => new URL(url).pathname;

  beforeAll(async () => {
    secA = await makeSecretary(t.db, p1.cellA);
    reader = await makeMember(t.db, p1.cellA);
    await linkChat(t.db, reader, 'telegram', '77001', 'telegram');
    const notice = await app.inject({
      method: 'POST',
      url: `/orgs/${p1.cellA.id}/notices`,
      headers: auth(secA.token),
      payload: { kind: 'notice', title: 'Thông báo thử', body: 'Nội dung thông báo.' },
    });
    expect(notice.statusCode).toBe(201);
    const meeting = await app.inject({
      method: 'POST',
      url: `/orgs/${p1.cellA.id}/meetings`,
      headers: auth(secA.token),
      payload: { kind: 'regular', startsAt: '2026-03-12T12:00:00Z', mode: 'in_person' },
    });
    expect(meeting.statusCode).toBe(201);
    const attached = await app.inject({
      method: 'POST',
      url: `/meetings/${meeting.json().id}/documents`,
      headers: auth(secA.token),
      payload: { title: 'Dự thảo nghị quyết (mật)', body: 'Nội dung mật của chi bộ A.' },
    });
    expect(attached.statusCode).toBe(201);
    const links = await t.db.query<{ kind: string; url: string }>(
      `select kind, payload->'link'->>'url' as url from outbox_messages where member_id = $1 order by id`,
      [reader.id],
    );
    noticeLink = pathOf(links.find((l) => l.kind === 'notice')!.url);
    docLink = pathOf(links.find((l) => l.kind === 'meeting.document')!.url);
  });

  it('a link as written to the request log carries no signature', () => {
    for (const link of [noticeLink, docLink, `${noticeLink}/read`, `${noticeLink}/a/3`]) {
      const sig = /\/\d+\/\d+\/\d+\/([\w-]{32})/.exec(link)![1];
      const logged = redactSignedLinks(link);
      expect(logged).not.toContain(sig);
      expect(logged).toMatch(/\/\d+\/\[redacted\]/);
    }
  });

  it('each link opens its own page', async () => {
    expect((await app.inject({ method: 'GET', url: noticeLink })).statusCode).toBe(200);
    const page = await app.inject({ method: 'GET', url: docLink });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Nội dung mật của chi bộ A.');
  });

  it('a notice link re-typed to the document route (and back) is refused and records no opening', async () => {
    const opens = await count('select 1 from document_opens');
    const forged = noticeLink.replace(/^\/n\//, '/d/');
    const res = await app.inject({ method: 'GET', url: forged });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('Nội dung mật');
    expect((await app.inject({ method: 'GET', url: docLink.replace(/^\/d\//, '/n/') })).statusCode).toBe(403);
    expect(await count('select 1 from document_opens')).toBe(opens);
  });

  it("a member who left the meeting's cell can no longer open its document with the old link", async () => {
    const opensBefore = await count('select 1 from document_opens where member_id = $1', [reader.id]);
    const moved = await app.inject({
      method: 'POST',
      url: `/members/${reader.id}/transfer`,
      headers: auth(admin1.token),
      payload: { toCellId: p1.cellB.id, transferredOn: '2026-03-10' },
    });
    expect(moved.statusCode).toBe(200);
    const res = await app.inject({ method: 'GET', url: docLink });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('Nội dung mật');
    expect(await count('select 1 from document_opens where member_id = $1', [reader.id])).toBe(opensBefore);
  });
});

describe('paid broadcast only for roles allowed to spend', () => {
  const publish = (token: string, orgId: number, paidBroadcast: boolean) =>
    app.inject({
      method: 'POST',
      url: `/orgs/${orgId}/notices`,
      headers: auth(token),
      payload: { kind: 'notice', title: 'Khẩn', body: 'Thông báo khẩn.', paidBroadcast },
    });

  const publishWithoutBroadcast =
    'a cell secretary or a commune committee may publish, but not with paid broadcast; nothing is stored';
  it(publishWithoutBroadcast, async () => {
    const sec = await makeSecretary(t.db, p1.cellB);
    const commune = await makeUserWithRole(t.db, p1.commune, 'committee');
    const before = await count('select 1 from notices');
    for (const [token, org] of [
      [sec.token, p1.cellB.id],
      [commune.token, p1.commune.id],
    ] as const) {
      const res = await publish(token, org, true);
      expect(res.statusCode).toBe(403);
      expect(res.json().field).toBe('paidBroadcast');
    }
    expect(await count('select 1 from notices')).toBe(before);
    expect((await publish(sec.token, p1.cellB.id, false)).statusCode).toBe(201);
  });

  it('a province committee and an admin may; PAID_BROADCAST_ROLES narrows it', async () => {
    const province = await makeUserWithRole(t.db, p1.province, 'committee');
    expect((await publish(province.token, p1.commune.id, true)).statusCode).toBe(201);
    expect((await publish(admin1.token, p1.cellA.id, true)).statusCode).toBe(201);
    const [row] = await t.db.query<{ paid: boolean }>(
      `select paid_broadcast as paid from notices order by id desc limit 1`,
    );
    expect(row.paid).toBe(true);

    const adminOnly = testDeps(t.db, clock);
    adminOnly.config = { ...adminOnly.config, paidBroadcastRoles: parseSpendRules('admin') };
    const strict = await buildTestApp(adminOnly);
    try {
      const res = await strict.inject({
        method: 'POST',
        url: `/orgs/${p1.commune.id}/notices`,
        headers: auth(province.token),
        payload: { kind: 'notice', title: 'Khẩn', body: 'Thông báo khẩn.', paidBroadcast: true },
      });
      expect(res.statusCode).toBe(403);
    } finally {
      await strict.close();
    }
  });

  it('a malformed PAID_BROADCAST_ROLES stops the start with a clear message', () => {
    expect(() => readConfig({ PAID_BROADCAST_ROLES: 'admin,treasurer' })).toThrow(/PAID_BROADCAST_ROLES/);
    expect(() => readConfig({ PAID_BROADCAST_ROLES: 'committee@planet' })).toThrow(/committee@planet/);
    expect(readConfig({ PAID_BROADCAST_ROLES: 'admin, committee@central' }).paidBroadcastRoles).toEqual([
      { role: 'admin', kinds: null },
      { role: 'committee', kinds: ['central'] },
    ]);
  });
});

describe("relinking through /start CODE respects the bot's subtree", () => {
  const update = (botKey: string, userId: string, text: string) => ({
    channel: 'telegram' as const,
    botKey,
    updateId: `${userId}-${Math.random()}`,
    from: { id: userId, displayName: 'Thử' },
    chat: { id: userId, kind: 'private' as const },
    text,
    receivedAt: clock.now(),
  });

  it("a member linked on province two's bot cannot relink it to a member of province one", async () => {
    const own = await makeMember(t.db, p2.cellA);
    await linkChat(t.db, own, 'telegram', '88001', 'bot-p2');
    const secP1 = await makeSecretary(t.db, p1.cellA);
    const stranger = await makeMember(t.db, p1.cellA);
    const { code } = await issueLinkCode(deps, secP1.principal, stranger.id);

    const replies = await handleUpdate(deps, update('bot-p2', '88001', `/start ${code}`), { orgId: p2.province.id });
    expect(replies.map((r) => r.text).join('\n')).toMatch(/đảng bộ khác/);
    expect((await findActiveAccount(t.db, 'telegram', 'bot-p2', '88001'))!.memberId).toBe(own.id);
    // The code stays unused for the right bot.
    const onRightBot = await handleUpdate(deps, update('bot-p1', '88002', `/start ${code}`), { orgId: p1.province.id });
    expect(onRightBot.map((r) => r.text).join('\n')).toContain(stranger.fullName);
    expect((await findActiveAccount(t.db, 'telegram', 'bot-p1', '88002'))!.memberId).toBe(stranger.id);
  });

  it('a code for a member inside the bot’s subtree relinks as before (e.g. a new phone)', async () => {
    const own = await makeMember(t.db, p2.cellA);
    const other = await makeMember(t.db, p2.cellB);
    await linkChat(t.db, own, 'telegram', '88003', 'bot-p2');
    const secP2 = await makeSecretary(t.db, p2.cellB);
    const { code } = await issueLinkCode(deps, secP2.principal, other.id);
    const replies = await handleUpdate(deps, update('bot-p2', '88003', `/start ${code}`), { orgId: p2.province.id });
    expect(replies.map((r) => r.text).join('\n')).toContain(other.fullName);
    expect((await findActiveAccount(t.db, 'telegram', 'bot-p2', '88003'))!.memberId).toBe(other.id);
  });
});

describe("a chat group bound to one cell cannot be taken by another cell's secretary", () => {
  it('re-binding needs the right on the cell the group serves; the refused code stays unused', async () => {
    const secA = await makeSecretary(t.db, p1.cellA);
    const secB = await makeSecretary(t.db, p1.cellB);
    const group = { channel: 'telegram' as const, botKey: 'telegram', chatId: '-100777' };
    await bindChatGroup(deps, secA.principal, {
      ...group,
      code: await issueGroupBindCode(deps, secA.principal, p1.cellA.id),
    });
    const codeB = await issueGroupBindCode(deps, secB.principal, p1.cellB.id);
    await expect(bindChatGroup(deps, secB.principal, { ...group, code: codeB })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const bound = () =>
      t.db.query<{ orgId: number }>(
        `select org_id as "orgId" from chat_groups where chat_id = $1 and unbound_at is null`,
        [group.chatId],
      );
    expect(await bound()).toEqual([{ orgId: p1.cellA.id }]);
    // An admin over both cells may move it.
    const admin = await makeUserWithRole(t.db, p1.committee, 'admin');
    await bindChatGroup(deps, admin.principal, { ...group, code: codeB });
    expect(await bound()).toEqual([{ orgId: p1.cellB.id }]);
  });
});
