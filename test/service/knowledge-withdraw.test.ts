/**
 * Issue 25 point 4: an editor withdraws a document and it answers nothing from then on; the
 * right is checked on the document's unit (another province's editor gets 403) and a national
 * document takes the centre's editor. The editor's page lists the documents of the units
 * beneath hers too. Runs on PGlite, and on PostgreSQL with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { makeOrg, makeOrgTree, makeUserWithRole } from '../factories/index.ts';
import type { App } from '../../api/server.ts';
import { HashingEmbedder } from '../../knowledge/embed/hashing-embedder.ts';
import { ingestFile } from '../../ingest/ingest-file.ts';
import { loadSampleDocuments } from '../../ingest/load-samples.ts';
import { refreshTermStats } from '../../knowledge/store.ts';
import { retrieve } from '../../knowledge/retrieve.ts';
import { listUnitKnowledge } from '../../api/knowledge/list-unit-knowledge.ts';

let t: TestDb;
let app: App;
const embedder = new HashingEmbedder(512);
let tree: Awaited<ReturnType<typeof makeOrgTree>>;

beforeAll(async () => {
  t = await createTestDb();
  await loadSampleDocuments(t.db, embedder);
  tree = await makeOrgTree(t.db);
  await ingestFile(
    t.db,
    embedder,
    'truc-ban.md',
    Buffer.from('---\nid: truc-ban\ntitle: Quy chế trực ban của xã\n---\n### Điều 1. Trực ban\nTrực ban đêm thứ bảy.'),
    { visibilityOrgId: tree.commune.id, orgId: tree.commune.id },
  );
  await refreshTermStats(t.db);
  app = await buildTestApp(testDeps(t.db));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const docId = async (key: string) =>
  (await t.db.query<{ id: number }>(`select id from kb_documents where doc_key = $1`, [key]))[0]?.id;
const withdraw = (token: string, id: number) =>
  app
    .inject({ method: 'DELETE', url: `/knowledge/documents/${id}`, headers: { authorization: `Bearer ${token}` } })
    .then((r) => r.statusCode);

describe('withdrawing a document', () => {
  it('the province’s editor lists the commune’s document and withdraws it; it answers nothing after', async () => {
    const editor = await makeUserWithRole(t.db, tree.province, 'editor');
    const listed = await listUnitKnowledge({ db: t.db }, editor.principal, tree.province.id);
    expect(listed.documents.find((d) => d.title === 'Quy chế trực ban của xã')?.unitName).toBe('Đảng bộ xã Thử nghiệm');
    const other = await makeUserWithRole(t.db, await makeOrg(t.db, 'province', null), 'editor');
    const id = await docId('truc-ban');
    expect(await withdraw(other.token, id)).toBe(403);
    expect(await docId('truc-ban')).toBe(id);
    const hits = () => retrieve(t.db, embedder, 'trực ban đêm thứ bảy', { scopePath: tree.cellA.path });
    expect((await hits()).map((h) => h.docKey)).toContain('truc-ban');
    expect(await withdraw(editor.token, id)).toBe(200);
    expect((await hits()).map((h) => h.docKey)).not.toContain('truc-ban');
    expect(await withdraw(editor.token, id)).toBe(404);
    const [audit] = await t.db.query(`select 1 from audit_log where action = 'knowledge.document_withdrawn'`);
    expect(audit).toBeDefined();
  });

  it('a national document takes the centre’s editor', async () => {
    const province = await makeUserWithRole(t.db, tree.province, 'editor');
    const id = await docId('mau-dang-phi');
    expect(await withdraw(province.token, id)).toBe(403);
    const centre = await makeUserWithRole(t.db, await makeOrg(t.db, 'central', null), 'editor');
    expect(await withdraw(centre.token, id)).toBe(200);
    expect(await docId('mau-dang-phi')).toBeUndefined();
  });
});
