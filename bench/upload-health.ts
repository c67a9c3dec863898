/**
 * bench:upload-health — /health latency while a large body trickles in to the member
 * import (authenticated), against /health on the idle service in the same run; how soon
 * an anonymous body of the same size is refused; and, for each upload bomb (a 74 KB DOCX of
 * 8 million paragraphs, a 0.5 MB PDF whose stream inflates to 512 MiB, an XLSX of 3.6 million
 * shared strings, HTML nested 100 000 deep, a 19 MB CSV of 230 000 rows), /health p99 and max
 * while it is refused, the service's peak resident memory, and the peak of the service with
 * its extraction processes — once with extraction in child processes (the default) and once
 * in worker threads. The service runs on an in-memory PGlite; the uploader and the probe share
 * the bench process with the server (a worst case).
 *
 *   npm run bench:upload-health -- --mb 19 --probes 50
 */
import fs from 'node:fs';
import http from 'node:http';
import { connectPglite } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { buildServer } from '../api/server.ts';
import { makeOrgTree, makeSecretary, makeUserWithRole } from '../test/factories/index.ts';
import { docxBomb, nestedHtml, pdfStreamBomb, xlsxSharedStringsBomb } from '../test/support/bombs.ts';
import { benchArgs, benchDeps, percentile, round, runBench } from './args.ts';

const { mb, probes } = benchArgs({ mb: 19, probes: 50 });
const CHUNK = 256 * 1024;
const MiB = 1024 * 1024;

async function main() {
  const db = await connectPglite(null);
  await migrate(db);
  const deps = benchDeps(db);
  const app = await buildServer(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const tree = await makeOrgTree(db);
  const sec = await makeSecretary(db, tree.cellA);
  const editor = await makeUserWithRole(db, tree.province, 'editor');
  const size = Math.round(mb * 1024 * 1024);
  const path = `/orgs/${tree.cellA.id}/members/import`;

  try {
    const probe = async () => {
      const t0 = performance.now();
      await (await fetch(`${base}/health`)).json();
      return performance.now() - t0;
    };
    const idle: number[] = [];
    for (let i = 0; i < Math.min(probes, 1000); i++) idle.push(await probe());

    let allSent = false;
    let answered = false;
    const upload = send(
      base,
      path,
      { authorization: `Bearer ${sec.token}`, 'content-type': 'text/csv' },
      size,
      20,
      () => {
        allSent = true;
      },
    ).then((r) => {
      answered = true;
      return r;
    });
    // While the body is on its way, then while the server reads it (until the answer).
    const during: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < 10_000 && !answered; i++) {
      (allSent ? after : during).push(await probe());
      await new Promise((r) => setTimeout(r, 20));
    }
    const uploaded = await upload;
    after.push(await probe());

    const t0 = performance.now();
    const anonymous = await send(base, path, { 'content-type': 'text/csv' }, size, 0);
    const anonymousMs = performance.now() - t0;

    // The bombs, under each way of running an extraction.
    const bombs = uploadBombs(tree, sec.token, editor.token);
    const idleRss = process.memoryUsage.rss() / MiB;
    const byRunner: Record<string, Record<string, BombFigures>> = {};
    for (const runner of ['process', 'thread']) {
      process.env.EXTRACTION_RUNNER = runner;
      byRunner[runner] = {};
      for (const bomb of bombs) byRunner[runner][bomb.name] = await measureBomb(base, probe, bomb);
    }
    delete process.env.EXTRACTION_RUNNER;

    idle.sort((a, b) => a - b);
    during.sort((a, b) => a - b);
    after.sort((a, b) => a - b);
    console.error(
      `baseline (idle): /health p50 ${round(percentile(idle, 50))} ms, ` +
        `max ${round(idle.at(-1)!)} ms over ${idle.length} probes`,
    );
    console.error(
      `during a ${mb} MB upload (answered ${uploaded.status}): /health p50 ${round(percentile(during, 50))} ms, ` +
        `max ${round(during.at(-1) ?? 0)} ms over ${during.length} probes`,
    );
    console.error(`while the server reads it: /health max ${round(after.at(-1)!)} ms over ${after.length} probes`);
    console.error(
      `anonymous ${mb} MB body: ${anonymous.status} after ${round(anonymousMs)} ms, ` +
        `${round(anonymous.sentWhenAnswered / 1024 / 1024)} MB sent`,
    );
    console.error(`baseline (idle): the service's resident memory ${round(idleRss)} MB`);
    for (const [runner, figures] of Object.entries(byRunner)) {
      for (const [name, f] of Object.entries(figures)) {
        console.error(
          `${name} (${runner}): ${f.status} after ${f.answered_ms} ms; /health p99 ${f.health_p99_ms} ms, ` +
            `max ${f.health_max_ms} ms over ${f.probes} probes; peak memory: service ${f.service_peak_mb} MB, ` +
            `with its extraction processes ${f.tree_peak_mb} MB`,
        );
      }
    }
    console.log(
      JSON.stringify({
        upload_mb: mb,
        health_idle_p50_ms: round(percentile(idle, 50)),
        health_idle_max_ms: round(idle.at(-1)!),
        health_during_upload_p50_ms: round(percentile(during, 50)),
        health_during_upload_max_ms: round(during.at(-1) ?? 0),
        health_probes_during_upload: during.length,
        health_after_upload_max_ms: round(after.at(-1)!),
        anonymous_status: anonymous.status,
        anonymous_refused_ms: round(anonymousMs),
        idle_rss_mb: round(idleRss),
        bombs_process: byRunner.process,
        bombs_thread: byRunner.thread,
      }),
    );
  } finally {
    await app.close();
    await db.close();
  }
}

interface Bomb {
  name: string;
  path: string;
  token: string;
  type: string;
  filename: string;
  data: Buffer;
  /** A knowledge upload answers 202 with a job: the bomb is worked on until the job ends. */
  job?: boolean;
}

interface BombFigures {
  status: number;
  answered_ms: number;
  probes: number;
  health_p99_ms: number;
  health_max_ms: number;
  service_peak_mb: number;
  tree_peak_mb: number;
}

function uploadBombs(tree: { cellA: { id: number }; province: { id: number } }, sec: string, editor: string): Bomb[] {
  const notice = (filename: string, mime: string, data: Buffer) =>
    Buffer.from(
      JSON.stringify({
        kind: 'notice',
        title: 'Thông báo',
        body: 'Xem tệp đính kèm.',
        attachments: [{ filename, mime, contentBase64: data.toString('base64') }],
      }),
    );
  const row = 'Nguyễn Văn Thử,Nam,1980,,0912345678,Chi bộ A,Chính thức,19/05/2010,19/05/2011\n';
  const header =
    'Họ và tên,Giới tính,Năm sinh,Số thẻ đảng,Điện thoại,Chi bộ,Loại đảng viên,Ngày kết nạp,Ngày chính thức\n';
  return [
    {
      name: 'docx_74kb',
      path: `/orgs/${tree.cellA.id}/notices`,
      token: sec,
      type: 'application/json',
      filename: 'thong-bao.json',
      data: notice(
        'thong-bao.docx',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        docxBomb(),
      ),
    },
    {
      name: 'pdf_512mib_stream',
      path: `/orgs/${tree.cellA.id}/notices`,
      token: sec,
      type: 'application/json',
      filename: 'bao-cao.json',
      data: notice('bao-cao.pdf', 'application/pdf', pdfStreamBomb()),
    },
    {
      name: 'xlsx_shared_strings',
      path: `/orgs/${tree.cellA.id}/members/import`,
      token: sec,
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      filename: 'danh-sach.xlsx',
      // Under the member list's inflated bound: read by exceljs in the extraction process.
      data: xlsxSharedStringsBomb(3_600_000),
    },
    {
      name: 'html_nested_100k',
      path: `/orgs/${tree.province.id}/knowledge/documents`,
      token: editor,
      type: 'text/html',
      filename: 'long-nhau.html',
      data: nestedHtml(100_000),
      job: true,
    },
    {
      name: 'csv_19mb',
      path: `/orgs/${tree.cellA.id}/members/import`,
      token: sec,
      type: 'text/csv',
      filename: 'ds.csv',
      data: Buffer.from(header + row.repeat(230_000)),
    },
  ];
}

/** Sends one bomb while /health is probed and memory sampled (the service, and with its child processes). */
async function measureBomb(base: string, probe: () => Promise<number>, bomb: Bomb): Promise<BombFigures> {
  let servicePeak = 0;
  let treePeak = 0;
  const sampler = setInterval(() => {
    const own = process.memoryUsage.rss() / MiB;
    servicePeak = Math.max(servicePeak, own);
    treePeak = Math.max(treePeak, own + childrenRssMb(process.pid));
  }, 10);
  const t0 = performance.now();
  let answered = false;
  const work = (async () => {
    const res = await fetch(`${base}${bomb.path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bomb.token}`,
        'content-type': bomb.type,
        'content-disposition': `attachment; filename="${bomb.filename}"`,
      },
      body: new Uint8Array(bomb.data),
    });
    const body = (await res.json()) as { jobId?: number };
    if (bomb.job && body.jobId) await waitForJob(base, bomb.token, body.jobId);
    return res.status;
  })().finally(() => {
    answered = true;
  });
  const latencies: number[] = [];
  while (!answered) {
    latencies.push(await probe());
    await new Promise((r) => setTimeout(r, 20));
  }
  const status = await work;
  const answeredMs = performance.now() - t0;
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  return {
    status,
    answered_ms: round(answeredMs),
    probes: latencies.length,
    health_p99_ms: round(percentile(latencies, 99)),
    health_max_ms: round(latencies.at(-1) ?? 0),
    service_peak_mb: round(servicePeak),
    tree_peak_mb: round(treePeak),
  };
}

async function waitForJob(base: string, token: string, id: number) {
  for (;;) {
    const res = await fetch(`${base}/knowledge/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const job = (await res.json()) as { status: string };
    if (job.status !== 'running') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resident memory of a process's children (extraction processes), in MB, from /proc. */
function childrenRssMb(pid: number): number {
  let total = 0;
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      for (const child of fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'latin1').split(' ').filter(Boolean)) {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child}/status`, 'latin1'));
        if (m) total += Number(m[1]) / 1024;
      }
    }
  } catch {
    // a child that ended while it was read
  }
  return total;
}

function send(
  base: string,
  path: string,
  headers: Record<string, string>,
  size: number,
  pauseMs: number,
  onAllSent?: () => void,
): Promise<{ status: number; sentWhenAnswered: number }> {
  const chunk = Buffer.alloc(CHUNK, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(
      `${base}${path}`,
      // A connection of its own: a body cut short must not be followed by another request on it.
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(size) } },
      (res) => {
        answered = true;
        const at = sent;
        res.resume();
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, sentWhenAnswered: at });
          req.destroy();
        });
      },
    );
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const pump = () => {
      if (answered) return; // the connection is dropped once the answer is read
      if (sent >= size) {
        onAllSent?.();
        return req.end();
      }
      const n = Math.min(CHUNK, size - sent);
      sent += n;
      req.write(n === CHUNK ? chunk : chunk.subarray(0, n));
      // After the first chunk the server has the headers: give an early refusal time to arrive.
      if (sent === n) return void waitForAnswer(1000).then(pump);
      setTimeout(pump, pauseMs);
    };
    const waitForAnswer = async (ms: number) => {
      for (let waited = 0; waited < ms && !answered; waited += 10) await new Promise((r) => setTimeout(r, 10));
    };
    pump();
  });
}

runBench(main);
