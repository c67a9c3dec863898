/**
 * The assistant on a real database: ingest (idempotent, atomic replacement, DOCX/PDF/HTML),
 * hybrid retrieval with accent folding, visibility and status filters, honest abstention,
 * injected instructions treated as data, the remote mode through a fake OpenAI server with
 * the real LangChain clients, and the chat command with follow-ups, sources and ratings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document, Packer, Paragraph } from 'docx';
import PDFDocument from 'pdfkit';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrg, makeOrgTree, makeUserWithRole } from '../factories/index.ts';
import { ingestFile } from '../../ingest/ingest-file.ts';
import { HashingEmbedder } from '../../knowledge/embed/hashing-embedder.ts';
import { ensureLexicalIndex, LEXICAL_VERSION, refreshTermStats } from '../../knowledge/store.ts';
import { retrieve } from '../../knowledge/retrieve.ts';
import { ABSTAIN_MODEL } from '../../knowledge/abstain.ts';
import {
  askAssistant,
  DID_YOU_MEAN,
  isFollowUp,
  NOT_FOUND,
  OFFLINE_FOOTER,
  SEE_SOURCES,
  SYSTEM_PROMPT,
} from '../../knowledge/answer.ts';
import { createAssistant, type Assistant } from '../../knowledge/assistant.ts';
import { handleUpdate } from '../../bot/core/conversation.ts';
import { FakeOpenAI } from '../fakes/openai-api.ts';
import type { Deps } from '../../api/context.ts';
import { prepareDemo } from '../../api/demo/prepare-demo.ts';

const CORPUS = 'test/data/knowledge/corpus';
let t: TestDb;
let deps: Deps;
const embedder = new HashingEmbedder(512);
const offline: Assistant = { embedder, chat: null, mode: 'offline' };
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let fake: FakeOpenAI;

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db);
  tree = await makeOrgTree(t.db);
  for (const f of fs.readdirSync(CORPUS)) await ingestFile(t.db, embedder, f, fs.readFileSync(path.join(CORPUS, f)));
  await refreshTermStats(t.db);
  fake = await new FakeOpenAI().start();
});
afterAll(async () => {
  await fake?.close();
  await t?.close();
});

const ask = (question: string, extra: Partial<Parameters<typeof askAssistant>[2]> = {}) =>
  askAssistant(t.db, offline, { question, scopePath: null, ...extra });

describe('ingest', () => {
  it('re-ingesting the same file changes nothing', async () => {
    const before = await t.db.query(`select id from kb_chunks order by id`);
    const r = await ingestFile(t.db, embedder, 'phi-moi.md', fs.readFileSync(path.join(CORPUS, 'phi-moi.md')));
    expect(r.status).toBe('unchanged');
    expect(await t.db.query(`select id from kb_chunks order by id`)).toEqual(before);
  });

  it('a new version replaces the chunks atomically: a concurrent question sees one version', async () => {
    const v1 =
      '---\nid: ver\ntitle: Phiên bản\n---\n' +
      '### Điều 1. A\nNội dung phiên bản MỘT về lệ phí.\n' +
      '### Điều 2. B\nNội dung phiên bản MỘT khác về lệ phí.';
    await ingestFile(t.db, embedder, 'ver.md', Buffer.from(v1));
    const v2 = v1.replace(/MỘT/g, 'HAI');
    const seen = new Set<string>();
    const asking = (async () => {
      for (let i = 0; i < 15; i++) {
        const hits = (await retrieve(t.db, embedder, 'nội dung phiên bản lệ phí', { scopePath: null })).filter(
          (h) => h.docKey === 'ver',
        );
        seen.add([...new Set(hits.map((h) => (h.body.includes('MỘT') ? '1' : '2')))].join(''));
      }
    })();
    const r = await ingestFile(t.db, embedder, 'ver.md', Buffer.from(v2));
    await asking;
    expect(r.status).toBe('replaced');
    expect([...seen].every((s) => s === '1' || s === '2' || s === '')).toBe(true);
  });

  it('loads DOCX, PDF and HTML', async () => {
    const docx = await Packer.toBuffer(
      new Document({
        sections: [
          {
            children: [
              new Paragraph('Điều 1. Khen thưởng'),
              new Paragraph('Chi bộ xét khen thưởng đảng viên vào cuối năm.'),
            ],
          },
        ],
      }),
    );
    expect((await ingestFile(t.db, embedder, 'khen-thuong.docx', Buffer.from(docx))).chunks).toBe(1);
    const pdf = await new Promise<Buffer>((resolve) => {
      const doc = new PDFDocument();
      const chunks: Buffer[] = [];
      doc.on('data', (c) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.text('Article 1. Archive rules apply to every record.');
      doc.end();
    });
    expect((await ingestFile(t.db, embedder, 'archive.pdf', pdf)).chunks).toBe(1);
    const html =
      '<html><head><title>Lưu trữ</title></head><body><h3>Điều 1. Lưu trữ hồ sơ</h3>' +
      '<p>Hồ sơ đảng viên được lưu trữ tại cấp ủy.</p><script>x()</script></body></html>';
    const r = await ingestFile(t.db, embedder, 'luu-tru.html', Buffer.from(html));
    expect(r.chunks).toBe(1);
    const [c] = await t.db.query<{ body: string }>(
      `select c.body from kb_chunks c join kb_documents d on d.id = c.document_id where d.doc_key = 'luu-tru'`,
    );
    expect(c.body).toContain('Hồ sơ đảng viên được lưu trữ tại cấp ủy.');
    expect(c.body).not.toContain('x()');
  });

  it('an index written by an older tokenizer is rebuilt on start, and then finds word pairs', async () => {
    // As the first release wrote it: folded syllables only, no pairs, no version recorded.
    await t.db.query(`update kb_chunks set tsv = to_tsvector('simple', f_unaccent(text)), term_count = 0`);
    await t.db.query(`delete from kb_stats where key = 'lexical_version'`);
    await refreshTermStats(t.db);
    const pairMatches = async () =>
      (await t.db.query(`select count(*)::int as n from kb_chunks where tsv @@ $1::tsquery`, ["'dang phi'"]))[0].n;
    expect(await pairMatches()).toBe(0);
    const chunks = (await t.db.query(`select count(*)::int as n from kb_chunks`))[0].n;
    expect(await ensureLexicalIndex(t.db)).toBe(chunks);
    expect(await pairMatches()).toBeGreaterThan(0);
    expect((await t.db.query(`select count(*)::int as n from kb_chunks where term_count = 0`))[0].n).toBe(0);
    expect((await t.db.query(`select value::int as v from kb_stats where key = 'lexical_version'`))[0].v).toBe(
      LEXICAL_VERSION,
    );
    expect(await ensureLexicalIndex(t.db)).toBe(0);
  });
});

describe('answers', () => {
  const foldedQuestion =
    'finds "đảng phí" when typed "dang phi", and cites title › Chương › Điều › khoản, quoting only that khoản';
  it(foldedQuestion, async () => {
    const a = await ask('muc dong dang phi cua dang vien nghi huu');
    expect(a.abstained).toBe(false);
    expect(a.citations[0].source).toBe('Quy định mẫu về đảng phí (bản mới) › Chương I › Điều 1 › khoản 2');
    expect(a.text).toContain(
      '«Điều 1. Đảng viên đang làm việc\n2. Đảng viên nghỉ hưu đóng 0,5% lương hưu hằng tháng.»',
    );
    expect(a.text).not.toContain('1% tiền lương');
    expect(a.text).not.toContain('phi-moi');
    expect(a.text).toContain(SEE_SOURCES);
    expect(a.text).toContain(OFFLINE_FOOTER);
    // "xem nguồn" has the whole article.
    expect(a.citations[0].quote).toContain('1% tiền lương');
  });

  it('answers from the document in force and says it replaced the old one; the old one only when asked', async () => {
    const a = await ask('Sinh viên đóng đảng phí bao nhiêu mỗi tháng?');
    expect(a.citations[0].source).toMatch(/^Quy định mẫu về đảng phí \(bản mới\)/);
    expect(a.text).toContain('5.000 đồng');
    expect(a.text).not.toContain('2.000 đồng');
    expect(a.text).toContain(
      'Văn bản này (ban hành ngày 03/02/2026) thay thế Quy định mẫu về đảng phí (bản cũ) ' +
        '(số 01-QĐ/TEST) ban hành ngày 01/01/2018.',
    );
    const old = await ask('Theo quy định cũ, sinh viên đóng đảng phí bao nhiêu?');
    expect(old.citations[0].source).toBe('Quy định mẫu về đảng phí (bản cũ) › Điều 2 (đã được thay thế)');
    expect(old.text).toContain('2.000 đồng');
    expect(old.text).toContain(
      'đã được thay thế bởi Quy định mẫu về đảng phí (bản mới) (số 02-QĐ/TEST), ban hành ngày 03/02/2026',
    );
    // Asked for the old rule in other words, without naming the fee: still answered, from the old text.
    const before = await ask('Trước đây sinh viên đóng bao nhiêu?');
    expect(before.abstained).toBe(false);
    expect(before.text).toContain('2.000 đồng');
    // "bầu cử" is not "cũ": a question about elections is not a question about the old rule.
    const vote = await ask('Đảng viên dự bị có được bầu cử không?');
    expect(vote.citations.every((c) => !c.source.includes('đã được thay thế'))).toBe(true);
  });

  it('reads a question with typing mistakes, but never turns an unknown real word into a known one', async () => {
    const a = await ask('dang vien nghii huuu dongg dang phii bao nhieu');
    expect(a.abstained).toBe(false);
    expect(a.citations[0].source).toMatch(/^Quy định mẫu về đảng phí \(bản mới\) › Chương I › Điều 1/);
    expect((await ask('Giá xăng hôm nay bao nhiêu?')).abstained).toBe(true);
  });

  const slipsThatLookLikeWords =
    'reads slips that only look like syllables ("miễnh", "khing"), picking the word the keys were next to, ' +
    'and leaves real words the documents lack';
  it(slipsThatLookLikeWords, async () => {
    // "nh" never closes "iê", "ng" never closes "i": neither can be a Vietnamese syllable.
    const a = await ask('Đảng viên được miễnh đóng đảng phí khing, trường hợp nào?');
    expect(a.abstained).toBe(false);
    expect(a.citations[0].source).toMatch(/^Quy định mẫu về đảng phí \(bản mới\) › Chương II › Điều 3/);
    // "căn cước" and "mấy" are words, absent from these documents: not turned into "căn được", "mặt".
    expect((await ask('Thủ tục cấp lại căn cước công dân như thế nào?')).abstained).toBe(true);
  });

  it('says the documents do not answer rather than inventing', async () => {
    for (const q of ['Thời tiết Hà Nội ngày mai thế nào?', 'Phụ cấp hằng tháng của bí thư chi bộ là bao nhiêu?']) {
      const a = await ask(q);
      expect(a.abstained, q).toBe(true);
      // Nothing quoted: a plain "not found", or (close to answerable, issue 29 point 3) choices.
      expect([NOT_FOUND, DID_YOU_MEAN]).toContain(a.text);
      expect(a.text).not.toContain('«');
    }
    const [row] = await t.db.query(`select abstained from kb_questions order by id desc limit 1`);
    expect(row.abstained).toBe(true);
  });

  const declinesUnknownWords =
    'declines a question in words no document uses, even with party words in it; ' +
    'answers a paraphrase typed without diacritics';
  it(declinesUnknownWords, async () => {
    for (const q of [
      'Lãi suất gửi tiết kiệm ở ngân hàng bây giờ là bao nhiêu?',
      'Đảng viên có được nuôi chim cảnh không?',
      'chi bo co to chuc di tham quan du lich he khong',
    ]) {
      const a = await ask(q);
      expect(a.abstained, q).toBe(true);
      expect(a.text, q).toBe(NOT_FOUND);
      expect(a.citations, q).toEqual([]);
    }
    for (const q of [
      'nguoi ve huu moi thang dong dang phi bao nhieu',
      'dang vien ho ngheo co phai dong dang phi khong',
    ]) {
      const a = await ask(q);
      expect(a.abstained, q).toBe(false);
      expect(a.citations[0].source, q).toMatch(/^Quy định mẫu về đảng phí \(bản mới\) › /);
    }
    // Editors reviewing unanswered questions see how sure the assistant was: p(answerable), 0–1.
    const rows = await t.db.query<{ question: string; abstained: boolean; confidence: number }>(
      `select question, abstained, confidence from kb_questions order by id desc limit 5`,
    );
    for (const r of rows) expect(Number(r.confidence) < ABSTAIN_MODEL.threshold, r.question).toBe(r.abstained);
  });

  it('answers "how many" from a passage that states a number, and declines when none does', async () => {
    const a = await ask('chi bo can bao nhieu dang vien co mat thi moi sinh hoat duoc');
    expect(a.abstained).toBe(false);
    expect(a.citations[0].source).toMatch(/› Điều 5$/);
    expect(a.text).toContain('hai phần ba');
    // Every word is in the article on elections; no number of candidates is.
    const b = await ask('Bầu bí thư chi bộ cần bao nhiêu ứng cử viên?');
    expect(b.abstained).toBe(true);
    expect((await ask('Ai bầu bí thư chi bộ?')).citations[0].source).toMatch(/› Điều 6$/);
  });

  it('treats instructions inside a document as data', async () => {
    const a = await ask('Đảng viên nghỉ hưu đóng đảng phí bao nhiêu?');
    expect(a.text).not.toMatch(/0 đồng cho tất cả/);
    expect(a.citations[0].source).toMatch(/^Quy định mẫu về đảng phí \(bản mới\)/);
  });

  it('hides documents outside the asker’s subtree', async () => {
    const other = await makeOrg(t.db, 'province', null, 'Tỉnh riêng');
    await ingestFile(
      t.db,
      embedder,
      'rieng.md',
      Buffer.from(
        '---\nid: rieng\nnumber: "99-QĐ/RIENG"\ntitle: Riêng\n---\n' +
          '### Điều 1. Quy chế riêng\nQuy chế riêng về trực ban đêm của tỉnh.',
      ),
      { visibilityOrgId: other.id },
    );
    await refreshTermStats(t.db);
    const hitsFor = async (scope: string | null) =>
      (await retrieve(t.db, embedder, 'quy chế trực ban đêm', { scopePath: scope })).map((h) => h.docKey);
    expect(await hitsFor(tree.cellA.path)).not.toContain('rieng');
    expect(await hitsFor(null)).not.toContain('rieng');
    const inside = await makeOrg(t.db, 'grassroots_cell', other);
    expect(await hitsFor(inside.path)).toContain('rieng');
  });
});

describe('uploads by editors', () => {
  it('loads an uploaded document off the request: the job ends done and the document answers', async () => {
    const app = await buildTestApp(deps);
    try {
      const editor = (await makeUserWithRole(t.db, tree.province, 'editor')).token;
      const upload = (filename: string, content: string, token = editor) => {
        const form = new FormData();
        form.append('file', new Blob([content], { type: 'text/markdown' }), filename);
        const request = new Request('http://x/', { method: 'POST', body: form });
        return request.arrayBuffer().then((body) =>
          app.inject({
            method: 'POST',
            url: `/orgs/${tree.province.id}/knowledge/documents`,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': request.headers.get('content-type')!,
            },
            payload: Buffer.from(body),
          }),
        );
      };
      const doc =
        '---\nid: khen-thuong-tap-the\ntitle: Quy định mẫu về khen thưởng\n---\n' +
        '### Điều 1. Khen thưởng tập thể\nChi bộ đạt trong sạch vững mạnh tiêu biểu được tặng giấy khen.';
      const res = await upload('khen-thuong.md', doc);
      expect(res.statusCode).toBe(202);
      const { jobId } = res.json();
      let job = { status: 'running' };
      for (let i = 0; i < 100 && job.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        job = (
          await app.inject({ url: `/knowledge/jobs/${jobId}`, headers: { authorization: `Bearer ${editor}` } })
        ).json();
      }
      expect(job).toMatchObject({
        status: 'done',
        filename: 'khen-thuong.md',
        result: { status: 'created', chunks: 1 },
      });
      const hits = await retrieve(t.db, embedder, 'giấy khen chi bộ tiêu biểu', { scopePath: tree.cellA.path });
      expect(hits[0].docKey).toBe('khen-thuong-tap-the');
      expect((await upload('virus.exe', 'MZ')).statusCode).toBe(415);
      const member = (await makeUserWithRole(t.db, tree.cellA, 'secretary')).token;
      expect((await upload('khen-thuong.md', doc, member)).statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });
});

describe('the demo', () => {
  it('loads the sample documents on a fresh data folder, so the first question gets an answer', async () => {
    const fresh = await createTestDb();
    try {
      const demo = await prepareDemo(testDeps(fresh.db), 'http://localhost:0');
      expect(demo.lines.join('\n')).toContain('đã nạp 3 tài liệu mẫu');
      const docs = await fresh.db.query<{ title: string }>(`select title from kb_documents order by title`);
      expect(docs.map((d) => d.title.startsWith('Tài liệu mẫu: '))).toEqual([true, true, true]);
      const a = await askAssistant(fresh.db, offline, { question: 'thu tuc ket nap dang vien', scopePath: null });
      expect(a.abstained).toBe(false);
      expect(a.citations[0].source).toMatch(/^Tài liệu mẫu: Các bước kết nạp đảng viên tại chi bộ › /);
      // A store that holds documents is left alone on the next start.
      expect((await prepareDemo(testDeps(fresh.db), 'http://localhost:0')).lines.join('\n')).not.toContain(
        'tài liệu mẫu',
      );
    } finally {
      await fresh.close();
    }
  });
});

describe('follow-ups are recognised by what they say, not by their length', () => {
  it('reads "còn … thì sao", "vậy thì", "điều đó" and pronouns as follow-ups; a short new topic is not one', () => {
    for (const q of [
      'còn đảng viên dự bị thì sao?',
      'con dang vien du bi thi sao',
      'Vậy thì ai quyết định?',
      'điều đó áp dụng cho chi bộ quân sự không?',
      'trường hợp này có được miễn không?',
      'họ có phải đóng không?',
      'thế còn sinh viên',
    ])
      expect(isFollowUp(q), q).toBe(true);
    for (const q of [
      'giá vàng hôm nay',
      'thu tuc ket nap dang vien',
      'đảng phí sinh viên',
      'Hồ sơ xin vào Đảng gồm những gì?',
      'ho so ket nap',
    ])
      expect(isFollowUp(q), q).toBe(false);
  });
});

describe('with a model server (fake OpenAI, real LangChain clients)', () => {
  it('embeds remotely, prompts with only the retrieved passages fenced as data, and cites [n]', async () => {
    const remote = createAssistant({
      OPENAI_API_KEY: 'sk-test-fake',
      OPENAI_BASE_URL: fake.root,
      EMBEDDING_DIM: '256',
      CHAT_MODEL: 'local-model',
    });
    const ingested = await ingestFile(
      t.db,
      remote.embedder,
      'hop-chi-bo.md',
      fs.readFileSync(path.join(CORPUS, 'hop-chi-bo.md')),
    );
    expect(ingested.status).toBe('replaced');
    const a = await askAssistant(t.db, remote, {
      question: 'Đảng viên dự bị có được biểu quyết không?',
      scopePath: null,
    });
    expect(a.mode).toBe('model');
    expect(a.text).toMatch(/\[1\]/);
    expect(a.text).toContain('Nguồn: [1] Hướng dẫn mẫu về sinh hoạt chi bộ › Điều 2 › khoản 1');
    expect(a.text).toContain(SEE_SOURCES);
    const chat = fake.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)!;
    const messages = chat.body.messages as { role: string; content: string }[];
    expect(messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    // Grounded: the quoted khoản comes first, fenced as data with its source; the answer quotes it.
    expect(messages[1].content).toMatch(
      new RegExp(
        String.raw`^<tai_lieu so="1" nguon="Hướng dẫn mẫu về sinh hoạt chi bộ › Điều 2 › khoản 1">\n` +
          String.raw`Điều 2\. Quyền biểu quyết\n1\. Đảng viên dự bị`,
      ),
    );
    expect(a.text).toContain('Đảng viên dự bị được dự họp và phát biểu nhưng không có quyền biểu quyết. [1]');
    expect(fake.requests.some((r) => r.path === '/v1/embeddings' && r.body.dimensions === 256)).toBe(true);
    // Back to the offline embedder for the other tests' documents.
    await ingestFile(t.db, embedder, 'hop-chi-bo.md', fs.readFileSync(path.join(CORPUS, 'hop-chi-bo.md')));
  });
});

describe('in chat and over HTTP', () => {
  const privateTextIsQuestion =
    'any private text is a question; follow-ups use the previous one; "xem nguồn" quotes; 👎 is recorded for editors';
  it(privateTextIsQuestion, async () => {
    const m = await makeMember(t.db, tree.cellA);
    await linkChat(t.db, m, 'web', 'asker', 'web');
    let n = 0;
    const say = async (text?: string, choice?: string) =>
      handleUpdate(deps, {
        channel: 'web',
        botKey: 'web',
        updateId: `q${++n}`,
        from: { id: 'asker' },
        chat: { id: 'asker', kind: 'private' },
        text,
        choice,
        receivedAt: new Date(),
      });
    const [first] = await say('Đảng viên được miễn sinh hoạt có mặt có được biểu quyết không?');
    expect(first.text).toContain('Hướng dẫn mẫu về sinh hoạt chi bộ › Điều 2');
    const [follow] = await say('còn đảng viên dự bị thì sao?');
    expect(follow.text).toContain('dự bị');
    // Follow-ups in a row are all read with the topic: the third still asks about đảng phí.
    const [fee] = await say('Sinh viên đóng đảng phí bao nhiêu mỗi tháng?');
    expect(fee.text).toContain('5.000 đồng');
    const [retired] = await say('còn người nghỉ hưu thì sao?');
    expect(retired.text).toContain('0,5% lương hưu');
    const [exempt] = await say('vậy còn hộ nghèo thì sao?');
    expect(exempt.text).toContain('Đảng viên thuộc hộ nghèo được miễn đóng đảng phí.');
    const [sources] = await say('xem nguon');
    expect(sources.text).toContain('«');
    // A new topic, however short, is not glued to the previous question.
    const [gold] = await say('giá vàng hôm nay');
    expect(gold.text).toBe(NOT_FOUND);
    const down = follow.choices!.find((c) => c.label.includes('👎'))!;
    await say(undefined, down.data);
    const editor = (await makeUserWithRole(t.db, tree.province, 'editor')).token;
    const app = await buildTestApp(deps);
    const poor = (
      await app.inject({
        url: `/orgs/${tree.province.id}/knowledge/questions?filter=poor`,
        headers: { authorization: `Bearer ${editor}` },
      })
    ).json();
    expect(poor.map((q: { question: string }) => q.question)).toContain('còn đảng viên dự bị thì sao?');
    // An editor of another province reviews only questions from their own members.
    const otherProvince = await makeOrg(t.db, 'province', null, 'Tỉnh khác');
    const otherEditor = (await makeUserWithRole(t.db, otherProvince, 'editor')).token;
    const theirs = (
      await app.inject({
        url: `/orgs/${otherProvince.id}/knowledge/questions?filter=poor`,
        headers: { authorization: `Bearer ${otherEditor}` },
      })
    ).json();
    expect(theirs).toEqual([]);
    const asked = await app.inject({
      method: 'POST',
      url: '/knowledge/ask',
      headers: { authorization: `Bearer ${editor}` },
      payload: { question: 'Chi bộ sinh hoạt thường kỳ bao lâu một lần?' },
    });
    expect(asked.json().citations[0].source).toBe('Hướng dẫn mẫu về sinh hoạt chi bộ › Điều 1');
    await app.close();
  });
});
