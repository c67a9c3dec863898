/**
 * Issue 27 point 3: the assistant never crosses provinces. Every province made with
 * `create-org --kind province` is a root; a document loaded for one is visible to its subtree
 * only — in retrieval, in the assistant's answers over HTTP, in the editors' listings, jobs and
 * review of questions. National documents are loaded for the centre (kind `central`), which a
 * province's editor cannot do; the demo's samples (loaded with no unit) stay visible to all.
 * Runs on PGlite, and on PostgreSQL with DATABASE_URL.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { makeMember, makeMemberToken, makeOrg, makeUserWithRole } from '../factories/index.ts';
import type { App } from '../../api/server.ts';
import type { Org } from '../../api/orgs/repository.ts';
import { HashingEmbedder } from '../../knowledge/embed/hashing-embedder.ts';
import { retrieve } from '../../knowledge/retrieve.ts';
import { loadSampleDocuments } from '../../ingest/load-samples.ts';
import { listUnitKnowledge } from '../../api/knowledge/list-unit-knowledge.ts';
import { ingestFile } from '../../ingest/ingest-file.ts';
import { refreshTermStats } from '../../knowledge/store.ts';

let t: TestDb;
let app: App;
const embedder = new HashingEmbedder(512);
let centre: Org;
let provinceA: Org;
let provinceB: Org;
let cellA: Org;
let cellB: Org;
const tokens: Record<string, string> = {};
let editorA: Awaited<ReturnType<typeof makeUserWithRole>>;

const DOC_B =
  '---\nid: dang-phi-tinh-b\ntitle: Hướng dẫn nộp đảng phí của tỉnh B\n---\n' +
  '### Điều 1. Tài khoản nộp đảng phí\nĐảng viên nộp đảng phí vào tài khoản 999999999 tại kho bạc tỉnh B.';
const DOC_NATIONAL =
  '---\nid: the-dang-vien-toan-quoc\ntitle: Hướng dẫn cấp lại thẻ đảng viên\n---\n' +
  '### Điều 1. Cấp lại thẻ đảng viên bị mất\nĐảng viên bị mất thẻ làm đơn gửi chi bộ để đề nghị cấp lại thẻ.';

beforeAll(async () => {
  t = await createTestDb();
  // The demo's samples go in first, as `npm start` loads them into an empty store (no unit: national).
  expect(await loadSampleDocuments(t.db, embedder)).toBe(3);
  centre = await makeOrg(t.db, 'central', null, 'Trung ương');
  provinceA = await makeOrg(t.db, 'province', null, 'Đảng bộ tỉnh A');
  provinceB = await makeOrg(t.db, 'province', null, 'Đảng bộ tỉnh B');
  const committeeA = await makeOrg(t.db, 'grassroots_committee', provinceA);
  const committeeB = await makeOrg(t.db, 'grassroots_committee', provinceB);
  cellA = await makeOrg(t.db, 'cell', committeeA, 'Chi bộ A1');
  cellB = await makeOrg(t.db, 'cell', committeeB, 'Chi bộ B1');
  tokens.memberA = await makeMemberToken(t.db, await makeMember(t.db, cellA));
  tokens.memberB = await makeMemberToken(t.db, await makeMember(t.db, cellB));
  editorA = await makeUserWithRole(t.db, provinceA, 'editor');
  tokens.editorA = editorA.token;
  tokens.editorB = (await makeUserWithRole(t.db, provinceB, 'editor')).token;
  tokens.adminB = (await makeUserWithRole(t.db, provinceB, 'admin')).token;
  tokens.editorCentre = (await makeUserWithRole(t.db, centre, 'editor')).token;
  app = await buildTestApp(testDeps(t.db));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await t?.close();
});

async function upload(orgId: number, filename: string, content: string, token: string) {
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'text/markdown' }), filename);
  const request = new Request('http://x/', { method: 'POST', body: form });
  return app.inject({
    method: 'POST',
    url: `/orgs/${orgId}/knowledge/documents`,
    headers: { authorization: `Bearer ${token}`, 'content-type': request.headers.get('content-type')! },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

async function uploadAndWait(orgId: number, filename: string, content: string, token: string) {
  const res = await upload(orgId, filename, content, token);
  expect(res.statusCode).toBe(202);
  const { jobId } = res.json();
  for (let i = 0; i < 200; i++) {
    const job = (
      await app.inject({ url: `/knowledge/jobs/${jobId}`, headers: { authorization: `Bearer ${token}` } })
    ).json();
    if (job.status !== 'running') {
      expect(job.status).toBe('done');
      return jobId as number;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the ingest job did not finish');
}

async function ask(question: string, token: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/knowledge/ask',
    headers: { authorization: `Bearer ${token}` },
    payload: { question },
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { text: string; abstained: boolean; citations: { source: string; quote: string }[] };
}

const everything = (a: { text: string; citations: { source: string; quote: string }[] }) =>
  [a.text, ...a.citations.flatMap((c) => [c.source, c.quote])].join('\n');

describe('a province’s documents stay in that province', () => {
  let jobB: number;
  beforeAll(async () => {
    jobB = await uploadAndWait(provinceB.id, 'dang-phi-tinh-b.md', DOC_B, tokens.editorB);
  });

  it('a member of province A never gets province B’s text; a member of B does', async () => {
    const question = 'nộp đảng phí vào tài khoản nào';
    const b = await ask(question, tokens.memberB);
    expect(b.abstained).toBe(false);
    expect(everything(b)).toContain('999999999');
    const a = await ask(question, tokens.memberA);
    expect(everything(a)).not.toContain('999999999');
    expect(everything(a)).not.toContain('tỉnh B');
    // Nor by retrieval with any of A's paths, nor with no cell at all.
    for (const scope of [cellA.path, provinceA.path, null]) {
      const hits = await retrieve(t.db, embedder, 'tài khoản 999999999 kho bạc', { scopePath: scope, limit: 10 });
      expect(hits.map((h) => h.docKey)).not.toContain('dang-phi-tinh-b');
    }
  });

  it('province A’s editor does not see B’s document, job or questions', async () => {
    const listing = await listUnitKnowledge({ db: t.db }, editorA.principal, provinceA.id);
    expect(listing.documents.map((d) => d.title)).not.toContain('Hướng dẫn nộp đảng phí của tỉnh B');
    expect(listing.jobs.map((j) => j.id)).not.toContain(jobB);
    const job = await app.inject({
      url: `/knowledge/jobs/${jobB}`,
      headers: { authorization: `Bearer ${tokens.editorA}` },
    });
    expect(job.statusCode).toBe(403);
    // B's member and B's staff ask what nothing answers: only B's editors review those questions.
    await ask('quy định về nuôi ong mật của tỉnh B', tokens.memberB);
    await ask('lịch trực tết nguyên đán của tỉnh B', tokens.adminB);
    const review = (token: string, orgId: number) =>
      app
        .inject({
          url: `/orgs/${orgId}/knowledge/questions?filter=unanswered`,
          headers: { authorization: `Bearer ${token}` },
        })
        .then((r) => r.json().map((q: { question: string }) => q.question) as string[]);
    const seenByA = await review(tokens.editorA, provinceA.id);
    expect(seenByA.join('\n')).not.toMatch(/tỉnh B/);
    expect(await review(tokens.editorB, provinceB.id)).toContain('quy định về nuôi ong mật của tỉnh B');
    // A staff token has no cell: its questions go to the national editors, not to every root.
    expect(await review(tokens.editorCentre, centre.id)).toContain('lịch trực tết nguyên đán của tỉnh B');
  });

  it('a document loaded for a province before this fix (visible to all) is narrowed by the migration', async () => {
    const old = await ingestFile(t.db, embedder, 'cu.md', Buffer.from(DOC_B.replace('dang-phi-tinh-b', 'cu-tinh-b')), {
      visibilityOrgId: null,
      orgId: provinceB.id,
    });
    expect(old.status).toBe('created');
    await refreshTermStats(t.db);
    const keysFor = async (scope: string | null) =>
      (await retrieve(t.db, embedder, 'tài khoản 999999999 kho bạc', { scopePath: scope, limit: 10 })).map(
        (h) => h.docKey,
      );
    expect(await keysFor(cellA.path)).toContain('cu-tinh-b');
    const migration = fs.readFileSync('api/db/migrations/100_knowledge_subtrees.sql', 'utf8');
    const narrowing = migration.split(';').find((s) => /update kb_documents/.test(s))!;
    await t.db.exec(narrowing);
    expect(await keysFor(cellA.path)).not.toContain('cu-tinh-b');
    expect(await keysFor(cellB.path)).toContain('cu-tinh-b');
  });
});

describe('national documents', () => {
  it('a province’s editor cannot publish nationally; the centre’s editor can, and every province sees it', async () => {
    expect((await upload(centre.id, 'the.md', DOC_NATIONAL, tokens.editorB)).statusCode).toBe(403);
    expect((await upload(centre.id, 'the.md', DOC_NATIONAL, tokens.adminB)).statusCode).toBe(403);
    expect(await t.db.query(`select 1 from kb_documents where doc_key = 'the-dang-vien-toan-quoc'`)).toEqual([]);
    await uploadAndWait(centre.id, 'the.md', DOC_NATIONAL, tokens.editorCentre);
    for (const token of [tokens.memberA, tokens.memberB]) {
      const a = await ask('mất thẻ đảng viên thì làm thế nào', token);
      expect(a.abstained).toBe(false);
      expect(a.citations[0].source).toMatch(/^Hướng dẫn cấp lại thẻ đảng viên/);
    }
  });

  it('the demo’s sample documents stay visible to every province', async () => {
    for (const token of [tokens.memberA, tokens.memberB]) {
      const a = await ask('thủ tục kết nạp đảng viên', token);
      expect(a.abstained).toBe(false);
      expect(a.citations[0].source).toMatch(/kết nạp/i);
    }
  });
});
