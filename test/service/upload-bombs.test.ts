/**
 * Upload bombs (issue 27, point 1): files small on the wire that a parser turns into
 * gigabytes or minutes — a 74 KB DOCX of 8 million empty paragraphs, a 0.5 MB PDF whose stream
 * inflates to 512 MiB, an XLSX of millions of shared strings, HTML nested a hundred thousand
 * deep, a 19 MB CSV — sent where members and editors upload: notice attachments, knowledge
 * documents, member imports. Each is refused (or read) in an extraction process: the answer is
 * a clear Vietnamese refusal that changes nothing, /health keeps answering while it is worked
 * on, and the service's own memory stays where it was.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';
import { docxBomb, docxText, nestedHtml, pdfStreamBomb, pdfText, xlsxSharedStringsBomb } from '../support/bombs.ts';
import type { App } from '../../api/server.ts';

let t: TestDb;
let app: App;
let base: string;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let sec: Awaited<ReturnType<typeof makeSecretary>>;
let editor: { token: string };
let idleHealthMax = 0;
let idleLoopMax = 0;

const MB = 1024 * 1024;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const count = async (table: string) => (await t.db.query<{ n: number }>(`select count(*)::int n from ${table}`))[0].n;

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db, new TestClock(new Date('2026-03-12T12:00:00Z'))));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  tree = await makeOrgTree(t.db);
  sec = await makeSecretary(t.db, tree.cellA);
  editor = await makeUserWithRole(t.db, tree.province, 'editor');
  // The same probes on the idle service: on a loaded, shared machine every probe is slower.
  const idle = await whileProbed(() => new Promise((r) => setTimeout(r, 1000)));
  idleHealthMax = idle.healthMaxMs;
  idleLoopMax = idle.loopMaxMs;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

async function timeHealth(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${base}/health`);
  expect(res.status).toBe(200);
  await res.json();
  return performance.now() - started;
}

/**
 * Runs `work` while /health is probed every 20 ms, the event loop's delay recorded and the
 * service's resident memory sampled; returns what `work` returned, the slowest probe, the
 * longest stall of the event loop (the service and this test share it: a parse on it stalls
 * both, between probes too) and how far memory grew.
 */
async function whileProbed<T>(
  work: () => Promise<T>,
): Promise<{ result: T; healthMaxMs: number; loopMaxMs: number; grewMb: number }> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  let done = false;
  const running = work().finally(() => {
    done = true;
  });
  const probes: number[] = [];
  while (!done) {
    probes.push(await timeHealth());
    await new Promise((r) => setTimeout(r, 20));
  }
  const result = await running;
  clearInterval(sampler);
  loop.disable();
  return { result, healthMaxMs: Math.max(0, ...probes), loopMaxMs: loop.max / 1e6, grewMb: (peak - before) / MB };
}

/**
 * The bounds while a bomb is worked on, against the idle service on this (shared, loaded)
 * machine: a parse on the event loop shows as seconds (the audit's DOCX stalled it for 24 s;
 * on the old code here the HTML, XLSX and CSV stalled the loop 5.7 s, 2.4 s and 2.2 s), while a
 * machine running other suites beside this one can hold a process back for most of a second.
 */
const healthBound = () => Math.max(1000, 3 * idleHealthMax);
const loopBound = () => Math.max(1000, 3 * idleLoopMax);
function expectServiceAnswered(figures: { healthMaxMs: number; loopMaxMs: number }) {
  expect(figures.healthMaxMs).toBeLessThan(healthBound());
  expect(figures.loopMaxMs).toBeLessThan(loopBound());
}
/** The service's own growth while a bomb is refused (the audit's DOCX took it from 283 MB to 3.5 GB). */
const MEMORY_BOUND_MB = 200;

function publish(attachment: { filename: string; mime: string; data: Buffer }) {
  return fetch(`${base}/orgs/${tree.cellA.id}/notices`, {
    method: 'POST',
    headers: { ...bearer(sec.token), 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'notice',
      title: 'Thông báo',
      body: 'Xem tệp đính kèm.',
      attachments: [
        { filename: attachment.filename, mime: attachment.mime, contentBase64: attachment.data.toString('base64') },
      ],
    }),
  });
}

function upload(path: string, token: string, file: { filename: string; type: string; data: Buffer }) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      ...bearer(token),
      'content-type': file.type,
      'content-disposition': `attachment; filename="${file.filename}"`,
    },
    body: new Uint8Array(file.data),
  });
}

async function jobResult(id: number): Promise<{ status: string; error: string | null }> {
  for (;;) {
    const [job] = await t.db.query<{ status: string; error: string | null }>(
      `select status, error from kb_jobs where id = $1`,
      [id],
    );
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('upload bombs are refused without holding up the service', () => {
  it('a 74 KB DOCX notice attachment of 8 million paragraphs gets 413; no notice, /health fast', async () => {
    const bomb = docxBomb();
    expect(bomb.length).toBeLessThan(80 * 1024);
    const before = await count('notices');
    const probed = await whileProbed(() => publish({ filename: 'thong-bao.docx', mime: DOCX, data: bomb }));
    expect(probed.result.status).toBe(413);
    expect((await probed.result.json()).message).toMatch(/"thong-bao.docx" quá lớn hoặc quá phức tạp để đọc/);
    expect(await count('notices')).toBe(before);
    expectServiceAnswered(probed);
    expect(probed.grewMb).toBeLessThan(MEMORY_BOUND_MB);
  });

  it('a 0.5 MB PDF whose stream inflates to 512 MiB gets 413, as attachment and as knowledge document', async () => {
    const bomb = pdfStreamBomb();
    expect(bomb.length).toBeLessThan(0.6 * MB);
    const notices = await count('notices');
    const jobs = await count('kb_jobs');
    const probed = await whileProbed(async () => [
      await publish({ filename: 'bao-cao.pdf', mime: 'application/pdf', data: bomb }),
      await upload(`/orgs/${tree.province.id}/knowledge/documents`, editor.token, {
        filename: 'so-tay.pdf',
        type: 'application/pdf',
        data: bomb,
      }),
    ]);
    for (const res of probed.result) {
      expect(res.status).toBe(413);
      expect((await res.json()).message).toMatch(/quá lớn khi giải nén/);
    }
    expect(await count('notices')).toBe(notices);
    expect(await count('kb_jobs')).toBe(jobs);
    expectServiceAnswered(probed);
    expect(probed.grewMb).toBeLessThan(MEMORY_BOUND_MB);
  });

  it('an XLSX member list of 3.6 million shared strings (under the bound) is read off the event loop', async () => {
    const members = await count('members');
    const probed = await whileProbed(() =>
      upload(`/orgs/${tree.cellA.id}/members/import`, sec.token, {
        filename: 'danh-sach.xlsx',
        type: XLSX,
        data: xlsxSharedStringsBomb(3_600_000),
      }),
    );
    // Its one row is the header: no member in it.
    expect(probed.result.status).toBe(400);
    expect((await probed.result.json()).message).toMatch(/không có dòng dữ liệu/);
    expect(await count('members')).toBe(members);
    expectServiceAnswered(probed);
    expect(probed.grewMb).toBeLessThan(MEMORY_BOUND_MB);
  });

  it('an XLSX member list of 4 million shared strings (past the bound) gets 413 and imports nothing', async () => {
    const members = await count('members');
    const res = await upload(`/orgs/${tree.cellA.id}/members/import`, sec.token, {
      filename: 'danh-sach.xlsx',
      type: XLSX,
      data: xlsxSharedStringsBomb(4_000_000),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).message).toMatch(/quá lớn khi giải nén/);
    expect(await count('members')).toBe(members);
  });

  it('HTML nested 100 000 deep is read in the background without holding up the service', async () => {
    const probed = await whileProbed(async () => {
      const res = await upload(`/orgs/${tree.province.id}/knowledge/documents`, editor.token, {
        filename: 'long-nhau.html',
        type: 'text/html',
        data: nestedHtml(100_000),
      });
      expect(res.status).toBe(202);
      return jobResult((await res.json()).jobId);
    });
    // Text nested past the depth read is markup, not a document: the job ends either way.
    expect(['done', 'failed']).toContain(probed.result.status);
    expectServiceAnswered(probed);
    expect(probed.grewMb).toBeLessThan(MEMORY_BOUND_MB);
  });

  it('a 19 MB CSV of 230 000 rows is parsed off the event loop and refused for its length', async () => {
    const row = 'Nguyễn Văn Thử,Nam,1980,,0912345678,Chi bộ A,Chính thức,19/05/2010,19/05/2011\n';
    const csv = Buffer.from(
      'Họ và tên,Giới tính,Năm sinh,Số thẻ đảng,Điện thoại,Chi bộ,Loại đảng viên,Ngày kết nạp,Ngày chính thức\n' +
        row.repeat(230_000),
    );
    expect(csv.length).toBeGreaterThan(19 * MB);
    expect(csv.length).toBeLessThan(20 * MB);
    const members = await count('members');
    const probed = await whileProbed(() =>
      upload(`/orgs/${tree.cellA.id}/members/import`, sec.token, { filename: 'ds.csv', type: 'text/csv', data: csv }),
    );
    expect(probed.result.status).toBe(400);
    expect((await probed.result.json()).message).toMatch(/Tệp quá 20000 dòng/);
    expect(await count('members')).toBe(members);
    expectServiceAnswered(probed);
  });

  it('honest files of the same kinds are still read: a DOCX and a PDF attachment, a document upload', async () => {
    const docx = await publish({ filename: 'ke-hoach.docx', mime: DOCX, data: docxText(200) });
    expect(docx.status).toBe(201);
    const pdf = await publish({ filename: 'bao-cao.pdf', mime: 'application/pdf', data: pdfText(30) });
    expect(pdf.status).toBe(201);
    const texts = await t.db.query<{ filename: string; text: string }>(
      `select filename, text from notice_attachments order by id desc limit 2`,
    );
    expect(texts.find((r) => r.filename === 'ke-hoach.docx')?.text).toContain('Chi bộ họp thường kỳ');
    expect(texts.find((r) => r.filename === 'bao-cao.pdf')?.text).toContain('Trang 30');
    const res = await upload(`/orgs/${tree.province.id}/knowledge/documents`, editor.token, {
      filename: 'so-tay.pdf',
      type: 'application/pdf',
      data: pdfText(5, 'Dieu 1. Chi bo sinh hoat moi thang mot lan.'),
    });
    expect(res.status).toBe(202);
    expect((await jobResult((await res.json()).jobId)).status).toBe('done');
  });
});
