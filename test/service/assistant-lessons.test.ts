/**
 * Issue 29 point 4: editors teach the assistant. From the unanswered questions, an editor
 * links one to the article that answers it, with a short answer of her own; a paraphrase
 * never seen before is then answered from that article — for members of her subtree only.
 * Runs on PGlite, and on PostgreSQL with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { makeMember, makeMemberToken, makeOrg, makeOrgTree, makeUserWithRole } from '../factories/index.ts';
import type { App } from '../../api/server.ts';
import { assistant } from '../../knowledge/assistant.ts';
import { loadSampleDocuments } from '../../ingest/load-samples.ts';
import { EDITORS_NOTE } from '../../knowledge/answer.ts';
import { ingestFile } from '../../ingest/ingest-file.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { grantRole } from '../../api/auth/roles.ts';
import { linkChat } from '../factories/index.ts';
import { consoleSignIn, postConsoleForm } from '../support/console-session.ts';

let t: TestDb;
let app: App;
const tokens: Record<string, string> = {};
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let otherProvince: Awaited<ReturnType<typeof makeOrg>>;

const TAUGHT = 'đảng viên bận việc gia đình không đi họp được thì phải làm gì';
const PARAPHRASE = 'bận việc gia đình nên không dự họp chi bộ được thì làm sao';
const NOTE = 'Đồng chí báo vắng với bí thư chi bộ trước giờ họp và nêu rõ lý do.';

beforeAll(async () => {
  t = await createTestDb();
  await loadSampleDocuments(t.db, assistant().embedder);
  tree = await makeOrgTree(t.db);
  otherProvince = await makeOrg(t.db, 'province', null, 'Tỉnh khác');
  const otherCell = await makeOrg(t.db, 'cell', await makeOrg(t.db, 'grassroots_committee', otherProvince));
  tokens.memberA = await makeMemberToken(t.db, await makeMember(t.db, tree.cellA));
  tokens.memberB = await makeMemberToken(t.db, await makeMember(t.db, otherCell));
  tokens.editorA = (await makeUserWithRole(t.db, tree.province, 'editor')).token;
  tokens.editorB = (await makeUserWithRole(t.db, otherProvince, 'editor')).token;
  app = await buildTestApp(testDeps(t.db));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const call = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
const ask = async (token: string, question: string) =>
  (await call(token, 'POST', '/knowledge/ask', { question })).json() as {
    text: string;
    abstained: boolean;
    citations: { source: string }[];
  };

describe('an editor teaches the assistant', () => {
  it('links an unanswered question to its article; an unseen rewording is answered, in her subtree only', async () => {
    const before = await ask(tokens.memberA, TAUGHT);
    expect(before.abstained).toBe(true);
    const paraphraseBefore = await ask(tokens.memberA, PARAPHRASE);
    expect(paraphraseBefore.abstained).toBe(true);

    const review = (
      await call(tokens.editorA, 'GET', `/orgs/${tree.province.id}/knowledge/questions?filter=unanswered`)
    ).json() as { id: number; question: string }[];
    const asked = review.find((q) => q.question === TAUGHT)!;
    expect(asked).toBeDefined();
    const [notice] = await t.db.query<{ id: number }>(
      `select c.id::int as id from kb_chunks c join kb_documents d on d.id = c.document_id
        where d.doc_key = 'mau-sinh-hoat-chi-bo' and c.article = 2`,
    );
    const taught = await call(tokens.editorA, 'POST', `/orgs/${tree.province.id}/knowledge/lessons`, {
      questionId: asked.id,
      chunkId: notice.id,
      note: NOTE,
    });
    expect(taught.statusCode).toBe(201);

    const after = await ask(tokens.memberA, 'có việc gia đình bận nên không đi họp chi bộ được thì phải làm thế nào');
    expect(after.abstained).toBe(false);
    expect(after.text.startsWith(`${EDITORS_NOTE}: ${NOTE}`)).toBe(true);
    expect(after.citations[0].source).toMatch(/^Tài liệu mẫu: Tổ chức buổi sinh hoạt chi bộ › Chương I › Điều 2/);
    expect(after.text).toMatch(/báo vắng và nêu lý do/);
    // Another province's member is not taught by province A's editor.
    const elsewhere = await ask(tokens.memberB, PARAPHRASE);
    expect(elsewhere.text).not.toContain(EDITORS_NOTE);
    // A question about something else is not caught by the lesson.
    expect((await ask(tokens.memberA, 'giá vàng hôm nay')).text).not.toContain(EDITORS_NOTE);
    const [audit] = await t.db.query(`select action from audit_log where action = 'knowledge.lesson_taught'`);
    expect(audit).toBeDefined();
  });

  it('another province’s editor can neither teach from A’s questions nor link A’s own documents', async () => {
    const [q] = await t.db.query<{ id: number }>(`select id from kb_questions where question = $1 limit 1`, [TAUGHT]);
    await ingestFile(
      t.db,
      assistant().embedder,
      'rieng-a.md',
      Buffer.from(
        '---\nid: rieng-a\ntitle: Quy chế riêng của tỉnh\n---\n### Điều 1. Trực ban\nTrực ban đêm theo lịch.',
      ),
      { visibilityOrgId: tree.province.id, orgId: tree.province.id },
    );
    const [privateA] = await t.db.query<{ id: number }>(
      `select c.id::int as id from kb_chunks c join kb_documents d on d.id = c.document_id where d.doc_key = 'rieng-a'`,
    );
    const [sample] = await t.db.query<{ id: number }>(
      `select c.id::int as id from kb_chunks c where c.article = 1 order by c.id limit 1`,
    );
    const teachB = (body: object) =>
      call(tokens.editorB, 'POST', `/orgs/${otherProvince.id}/knowledge/lessons`, body).then((r) => r.statusCode);
    expect(await teachB({ questionId: q.id, chunkId: sample.id })).toBe(404);
    expect(await teachB({ question: 'trực ban đêm thế nào', chunkId: privateA.id })).toBe(404);
    expect(
      await call(tokens.editorB, 'POST', `/orgs/${tree.province.id}/knowledge/lessons`, {
        question: 'trực ban đêm thế nào',
        chunkId: privateA.id,
      }).then((r) => r.statusCode),
    ).toBe(403);
    const [{ n }] = await t.db.query<{ n: number }>(`select count(*)::int as n from kb_lessons`);
    expect(n).toBe(1);
  });
});

describe('in the console', () => {
  it('the questions page offers the articles found for each question; the one chosen teaches it', async () => {
    const deps = testDeps(t.db);
    const editor = await makeMember(t.db, tree.cellB);
    await grantRole(t.db, (await ensureMemberPrincipal(t.db, editor.id)).id, tree.province.id, 'editor');
    await linkChat(t.db, editor, 'telegram', 'editor-console');
    const cookie = await consoleSignIn(app, deps, 'editor-console');
    const question = 'đảng viên đi làm ăn xa có phải về họp chi bộ hằng tháng không';
    expect((await ask(tokens.memberA, question)).abstained).toBe(true);
    const pageUrl = `/console/units/${tree.province.id}/questions`;
    const page = (await app.inject({ url: pageUrl, headers: { cookie } })).body;
    const row = page.slice(page.indexOf(question));
    const option = /<option value="(\d+)">(Điều 1\. Lịch sinh hoạt — [^<]+)<\/option>/.exec(row);
    expect(option?.[2]).toBe('Điều 1. Lịch sinh hoạt — Tài liệu mẫu: Tổ chức buổi sinh hoạt chi bộ');
    const questionId = /name="questionId" value="(\d+)"/.exec(row)![1];
    const res = await postConsoleForm(app, cookie, pageUrl, `/console/units/${tree.province.id}/lessons`, {
      questionId,
      chunkId: option![1],
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${pageUrl}?done=taught`);
    const after = await ask(tokens.memberA, 'đi làm ăn xa thì đảng viên có phải về họp chi bộ hằng tháng không');
    expect(after.abstained).toBe(false);
    expect(after.citations[0].source).toMatch(/› Chương I › Điều 1$/);
  });
});
