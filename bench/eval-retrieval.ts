/**
 * eval:retrieval — ingests a corpus into a fresh throwaway database, asks every question,
 * and prints Recall@1/5/10, MRR@10, nDCG@10 and abstention figures for hybrid retrieval
 * (offline embedder; and the remote one when OPENAI_API_KEY is set) and for a plain BM25
 * baseline over the same chunks, in the same run.
 *
 *   npm run eval:retrieval -- --corpus ../shared/eval/corpus --qa ../shared/eval/qa-dev.jsonl
 *   npm run eval:retrieval -- --qa test/data/knowledge/qa-own.jsonl   (our own questions, same corpus)
 *
 * On stderr it also prints, per abstention threshold, the share of questions declined: the
 * table KB_ABSTAIN_THRESHOLD is chosen from (on our own questions, never on the dev set).
 */
import fs from 'node:fs';
import path from 'node:path';
import { connectPglite } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { ingestFile } from '../ingest/ingest-file.ts';
import { SUPPORTED_EXTENSIONS } from '../ingest/loaders/load-file.ts';
import { HashingEmbedder } from '../knowledge/embed/hashing-embedder.ts';
import { chooseEmbedder } from '../knowledge/embed/choose-embedder.ts';
import type { Embedder } from '../knowledge/embed/embedder.ts';
import { refreshTermStats } from '../knowledge/store.ts';
import { contentTerms, retrieve } from '../knowledge/retrieve.ts';
import { correctSpelling } from '../knowledge/spelling.ts';
import { coverage, DEFAULT_ABSTAIN_THRESHOLD } from '../knowledge/confidence.ts';
import { Bm25 } from '../knowledge/bm25.ts';
import { benchArgs, round, runBench } from './args.ts';

const args = benchArgs({
  corpus: '../shared/eval/corpus',
  qa: '../shared/eval/qa-dev.jsonl',
  threshold: DEFAULT_ABSTAIN_THRESHOLD,
});

interface Question {
  id: string;
  question: string;
  relevant: string[];
  kind: string;
}
interface Ranked {
  keys: string[];
  coverage: number;
}

async function main() {
  if (!fs.existsSync(args.corpus))
    throw new Error(`no corpus at ${args.corpus}: pass --corpus <folder> --qa <file.jsonl>`);
  const questions: Question[] = fs
    .readFileSync(args.qa, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  const out: Record<string, unknown> = { eval: 'retrieval', questions: questions.length };
  const offline = await runHybrid(new HashingEmbedder(512), questions);
  out.hybrid = offline.metrics;
  out.bm25 = offline.bm25;
  if (process.env.OPENAI_API_KEY) out.hybrid_remote = (await runHybrid(chooseEmbedder(), questions)).metrics;
  for (const [name, m] of Object.entries(out).filter(([, v]) => typeof v === 'object'))
    console.log(`${name.padEnd(14)} ${JSON.stringify(m)}`);
  console.log(JSON.stringify(out));
}

async function runHybrid(embedder: Embedder, questions: Question[]) {
  const db = await connectPglite(null);
  try {
    await migrate(db);
    for (const f of fs.readdirSync(args.corpus).filter((f) => SUPPORTED_EXTENSIONS.includes(path.extname(f)))) {
      await ingestFile(db, embedder, f, fs.readFileSync(path.join(args.corpus, f)));
    }
    await refreshTermStats(db);
    const chunks = await db.query<{ id: number; key: string; text: string }>(
      `select c.id, d.doc_key || '#dieu-' || coalesce(c.article, 0) as key, c.text from kb_chunks c join kb_documents d on d.id = c.document_id where d.status = 'in_force'`,
    );
    const byId = new Map(chunks.map((c) => [c.id, c]));
    const bm25 = new Bm25(chunks);
    const hybridRuns: Ranked[] = [];
    const bm25Runs: Ranked[] = [];
    for (const q of questions) {
      const asked = await correctSpelling(db, q.question);
      const terms = await contentTerms(db, asked);
      const hits = await retrieve(db, embedder, asked, { scopePath: 'all', limit: 10 });
      hybridRuns.push({
        keys: hits.map((h) => `${h.docKey}#dieu-${h.article ?? 0}`),
        coverage: coverage(
          asked,
          hits.map((h) => h.text),
          terms,
        ),
      });
      const b = bm25.search(q.question, 10).map((r) => byId.get(r.id)!);
      bm25Runs.push({
        keys: b.map((c) => c.key),
        coverage: coverage(
          asked,
          b.map((c) => c.text),
          terms,
        ),
      });
    }
    printCalibration(questions, hybridRuns);
    return { metrics: score(questions, hybridRuns), bm25: score(questions, bm25Runs) };
  } finally {
    await db.close();
  }
}

/** How often each threshold declines unanswerable (good) and answerable (bad) questions: how KB_ABSTAIN_THRESHOLD is chosen. */
function printCalibration(questions: Question[], runs: Ranked[]) {
  const covs = (answerable: boolean) =>
    runs.filter((_, i) => questions[i].relevant.length > 0 === answerable).map((r) => r.coverage);
  const [a, u] = [covs(true), covs(false)];
  const share = (xs: number[], t: number) => round(xs.filter((c) => c < t).length / Math.max(1, xs.length), 3);
  for (let t = 0.3; t <= 0.601; t += 0.02) {
    console.error(`threshold ${t.toFixed(2)}: abstain_accuracy ${share(u, t)} false_abstain ${share(a, t)}`);
  }
}

function score(questions: Question[], runs: Ranked[]) {
  const answerable = questions.map((q, i) => ({ q, r: runs[i] })).filter((x) => x.q.relevant.length > 0);
  const unanswerable = questions.map((q, i) => ({ q, r: runs[i] })).filter((x) => x.q.relevant.length === 0);
  const abstains = (x: { r: Ranked }) => x.r.coverage < args.threshold;
  const recall = (k: number) =>
    mean(
      answerable.map(
        ({ q, r }) => new Set(r.keys.slice(0, k).filter((key) => q.relevant.includes(key))).size / q.relevant.length,
      ),
    );
  const mrr = mean(
    answerable.map(({ q, r }) => {
      const rank = r.keys.slice(0, 10).findIndex((k) => q.relevant.includes(k));
      return rank < 0 ? 0 : 1 / (rank + 1);
    }),
  );
  const ndcg = mean(
    answerable.map(({ q, r }) => {
      const seen = new Set<string>();
      let dcg = 0;
      r.keys.slice(0, 10).forEach((k, i) => {
        if (q.relevant.includes(k) && !seen.has(k)) {
          seen.add(k);
          dcg += 1 / Math.log2(i + 2);
        }
      });
      const ideal = q.relevant.slice(0, 10).reduce((s, _, i) => s + 1 / Math.log2(i + 2), 0);
      return dcg / ideal;
    }),
  );
  return {
    'recall@1': round(recall(1), 3),
    'recall@5': round(recall(5), 3),
    'recall@10': round(recall(10), 3),
    'mrr@10': round(mrr, 3),
    'ndcg@10': round(ndcg, 3),
    abstain_accuracy: unanswerable.length ? round(unanswerable.filter(abstains).length / unanswerable.length, 3) : null,
    false_abstain: round(answerable.filter(abstains).length / Math.max(1, answerable.length), 3),
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

runBench(main);
