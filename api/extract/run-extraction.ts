/**
 * Every uploaded file is read outside the service's event loop, in a process of its own
 * with bounded heap, memory and time: a 74 KB DOCX of 8 million empty paragraphs takes a
 * parser gigabytes and minutes, and a PDF stream of 0.5 MB inflates to 512 MiB. The service
 * keeps answering (/health, meetings) while such a file is refused.
 *
 * - One job per extraction process (extraction-worker.ts), started fresh and ended after its
 *   answer: nothing a hostile file did outlives it. It gets the file's bytes and nothing else
 *   (no environment, no database).
 * - The bounds of document-bounds.ts first (zip entries and inflated sizes, PDF pages and
 *   inflated streams), then the parser (formats.ts, ingest/loaders/load-file.ts).
 * - Limits (EXTRACTION_LIMITS): the V8 heap (`--max-old-space-size`), the resident memory
 *   (read from /proc every 25 ms: pdf.js and zlib buffers live outside the heap), and a time
 *   per kind of job. Past any of them the process is killed and the file refused with 413.
 * - At most `concurrency` extractions at once; more wait their turn, and past `queue` waiting
 *   the upload is refused with 429.
 *
 * Two ways to run the job are kept, measured by `npm run bench:upload-health`: a child
 * process (the default: its memory is its own, so it is measured and bounded exactly, and a
 * kill frees all of it) and a worker thread (`EXTRACTION_RUNNER=thread`: starts faster, but
 * shares the service's memory — its buffers outside the heap can only be bounded by the
 * growth of the whole service).
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type { ExtractionJob, ExtractionReply, ExtractionResults, JobKind } from './extraction-jobs.ts';

export const EXTRACTION_LIMITS = {
  /** Extractions running at once in this service. */
  concurrency: 2,
  /** Uploads waiting for their turn; more are refused (429). */
  queue: 16,
  /** V8 heap of one extraction (MB). */
  heapMb: 512,
  /** Resident memory of one extraction process (MB): heap, buffers, code. */
  memoryMb: 1024,
  /** Wall-clock time per kind of job (a 2 000-page PDF takes about a minute to read). */
  timeoutMs: { bounds: 30_000, text: 60_000, table: 60_000, document: 180_000 } satisfies Record<JobKind, number>,
};

export type ExtractionRunner = 'process' | 'thread';

const BOOT = new URL('./extraction-boot.mjs', import.meta.url);
const WATCH_MS = 25;

/** Why an extraction ended without an answer. */
type Ended = 'memory' | 'time' | 'crash';

/** A file the parser could not read (not what its name says, damaged): the caller words the refusal. */
export class ExtractionFailed extends Error {}

/**
 * Runs one job in an extraction process and returns its answer; throws AppError (413) when the
 * file passes a bound or a limit, ExtractionFailed when the parser could not read it.
 */
export async function runExtraction<K extends JobKind>(
  job: Extract<ExtractionJob, { kind: K }>,
  options: { runner?: ExtractionRunner; limits?: Partial<typeof EXTRACTION_LIMITS> } = {},
): Promise<ExtractionResults[K]> {
  const limits = { ...EXTRACTION_LIMITS, ...options.limits };
  const runner = options.runner ?? defaultRunner();
  const release = await turn(limits);
  try {
    // A copy of its own: the upload's Buffer may share memory with others (Node's buffer pool).
    const data = new Uint8Array(job.data);
    const reply = await (runner === 'thread' ? inThread : inProcess)({ ...job, data }, limits);
    if (typeof reply === 'string') throw exceeded(job.filename, job.field, reply);
    if (reply.ok) return reply.result as ExtractionResults[K];
    if ('error' in reply) {
      const e = reply.error;
      throw new AppError(e.code, e.message, { field: e.field, detail: e.detail });
    }
    throw new ExtractionFailed(reply.failed);
  } finally {
    release();
  }
}

const defaultRunner = (): ExtractionRunner => (process.env.EXTRACTION_RUNNER === 'thread' ? 'thread' : 'process');

function exceeded(filename: string, field: string, why: Ended) {
  if (why === 'crash') return new ExtractionFailed('the extraction process ended without an answer');
  return new AppError(
    'payload_too_large',
    `Tệp "${filename}" quá lớn hoặc quá phức tạp để đọc (vượt giới hạn ${why === 'memory' ? 'bộ nhớ' : 'thời gian'}` +
      '); hãy chia nhỏ tệp hoặc lưu lại ở định dạng khác.',
    { field, detail: `extraction stopped: ${why}` },
  );
}

// ─── Taking turns ──────────────────────────────────────────────────────────────────────
let running = 0;
const waiting: (() => void)[] = [];

async function turn(limits: typeof EXTRACTION_LIMITS): Promise<() => void> {
  if (running >= limits.concurrency) {
    if (waiting.length >= limits.queue) {
      throw new AppError(
        'too_many_requests',
        'Máy chủ đang đọc nhiều tệp tải lên cùng lúc; xin đồng chí gửi lại sau ít phút.',
        { detail: `extraction queue full (${waiting.length})` },
      );
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
}

// ─── A child process ───────────────────────────────────────────────────────────────────
function inProcess(job: ExtractionJob, limits: typeof EXTRACTION_LIMITS): Promise<ExtractionReply | Ended> {
  return new Promise((resolve) => {
    const child: ChildProcess = fork(BOOT, [], {
      execArgv: [`--max-old-space-size=${limits.heapMb}`],
      // Nothing of the service's environment (secrets, database URL); what Node and tsx need.
      env: { PATH: process.env.PATH ?? '', TMPDIR: process.env.TMPDIR ?? '', HOME: process.env.HOME ?? '' },
      // Parsers print warnings that quote the file: they reach no log.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    let settled = false;
    const finish = (outcome: ExtractionReply | Ended) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      child.kill('SIGKILL');
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('time'), limits.timeoutMs[job.kind]);
    const watch = setInterval(() => {
      const rss = residentMb(child.pid);
      if (rss !== null && rss > limits.memoryMb) finish('memory');
    }, WATCH_MS);
    child.on('message', (reply: ExtractionReply | 'ready') => (reply === 'ready' ? child.send(job) : finish(reply)));
    // A heap past --max-old-space-size aborts the process. 'close' comes after its last message.
    child.on('close', (code, signal) => finish(code === 134 || signal === 'SIGABRT' ? 'memory' : 'crash'));
    child.on('error', () => finish('crash'));
  });
}

/** Resident memory of a process in MB, from /proc (null where there is none). */
function residentMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

// ─── A worker thread ───────────────────────────────────────────────────────────────────
let threadsRunning = 0;
let threadBaselineMb = 0;

function inThread(job: ExtractionJob, limits: typeof EXTRACTION_LIMITS): Promise<ExtractionReply | Ended> {
  return new Promise((resolve) => {
    // The heap is the thread's own; buffers outside it are the service's memory: bounded by
    // how much the whole service grows while threads run.
    if (threadsRunning++ === 0) threadBaselineMb = process.memoryUsage.rss() / 1024 / 1024;
    const worker = new Worker(BOOT, {
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      env: {},
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const finish = (outcome: ExtractionReply | Ended) => {
      if (settled) return;
      settled = true;
      threadsRunning--;
      clearTimeout(timer);
      clearInterval(watch);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('time'), limits.timeoutMs[job.kind]);
    const watch = setInterval(() => {
      const grown = process.memoryUsage.rss() / 1024 / 1024 - threadBaselineMb;
      if (grown > limits.memoryMb * Math.max(1, threadsRunning)) finish('memory');
    }, WATCH_MS);
    worker.on('message', (reply: ExtractionReply) => finish(reply));
    worker.on('error', (e) =>
      finish((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash'),
    );
    // A message posted just before the thread ended is handled first.
    worker.on('exit', () => setImmediate(() => finish('crash')));
    worker.postMessage(job, [job.data.buffer as ArrayBuffer]);
  });
}
