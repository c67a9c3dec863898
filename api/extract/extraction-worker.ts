/**
 * The extraction process's side (a worker thread or a child process, see run-extraction.ts):
 * takes one job, checks the file's bounds, reads it, answers, and is done. It holds no
 * database, no secret and no other request's data; the service ends it after the answer, or
 * when it passes its time or memory.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { assertDocumentWithinBounds, DOCUMENT_LIMITS, isPdf, isZip } from './document-bounds.ts';
import type { ExtractionJob, ExtractionReply } from './extraction-jobs.ts';

async function run(job: ExtractionJob): Promise<unknown> {
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const limits = { ...DOCUMENT_LIMITS, ...job.limits };
  await assertDocumentWithinBounds(data, job.filename, job.field, limits);
  switch (job.kind) {
    case 'bounds':
      return null;
    case 'document':
      return (await import('../../ingest/loaders/load-file.ts')).loadFile(job.filename, data);
    case 'text': {
      const formats = await import('./formats.ts');
      // The bounds above are by content: a file named .docx that is no zip is no DOCX.
      if (job.format === 'pdf' && !isPdf(data)) throw new Error('not a PDF');
      if (job.format === 'docx' && !isZip(data)) throw new Error('not a zip');
      return job.format === 'pdf' ? formats.mergePdfPages(await formats.pdfPages(data)) : formats.docxText(data);
    }
    case 'table':
      return (await import('./formats.ts')).readTable(data, job.format, job.maxRows);
  }
}

async function answer(job: ExtractionJob): Promise<ExtractionReply> {
  try {
    return { ok: true, result: await run(job) };
  } catch (e) {
    if (e instanceof AppError)
      return { ok: false, error: { code: e.code, message: e.message, field: e.field, detail: e.detail } };
    return { ok: false, failed: String((e as Error)?.message ?? e).slice(0, 300) };
  }
}

if (parentPort) {
  const port = parentPort;
  port.once('message', async (job: ExtractionJob) => port.postMessage(await answer(job)));
} else if (process.send) {
  // A child process says it is listening first: a message sent before would be lost.
  process.once('message', async (job: ExtractionJob) => {
    process.send!(await answer(job), () => process.exit(0));
  });
  process.send('ready');
}
