/**
 * bench:retrieval — N synthetic Vietnamese chunks loaded into PostgreSQL and into PGlite
 * (offline embeddings, HNSW + GIN), then hybrid retrieval latency for random questions on
 * each, and ingest throughput. Baseline, in the same run on the same PostgreSQL data: every
 * syllable of the question OR-ed in one full-text query ranked with ts_rank.
 *
 *   npm run bench:retrieval -- --chunks 100000 [--queries 200] [--pglite-chunks N]
 */
import { connectPglite, type Db } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { seededRandom } from '../api/demo/names.ts';
import { HashingEmbedder } from '../knowledge/embed/hashing-embedder.ts';
import { ensureVectorIndex, insertChunkRows, refreshTermStats } from '../knowledge/store.ts';
import { retrieve } from '../knowledge/retrieve.ts';
import { askAssistant } from '../knowledge/answer.ts';
import { findLesson } from '../knowledge/lessons.ts';
import { insertOrg } from '../api/orgs/repository.ts';
import { correctSpelling } from '../knowledge/spelling.ts';
import { foldedSyllables, toTsqueryLiteral } from '../knowledge/text.ts';
import type { Chunk } from '../knowledge/document.ts';
import { benchArgs, percentile, round, runBench, withBenchDatabase } from './args.ts';

const args = benchArgs({ chunks: 100_000, queries: 200, 'pglite-chunks': 0 });
const embedder = new HashingEmbedder(512);
const PER_DOC = 100;

// A vocabulary of real syllables, so term statistics look like Vietnamese text.
const SYLLABLES = (
  'đảng viên chi bộ sinh hoạt nghị quyết biểu quyết kết nạp dự bị chính thức đảng phí kỷ luật khiển trách cảnh cáo ' +
  'khai trừ chuyển tổ chức cơ sở cấp ủy bí thư phó thường kỳ chuyên đề tháng quý năm hội nghị đại hội ' +
  'bầu cử ứng cử đề cử ' +
  'hồ sơ giấy giới thiệu lý lịch thẻ huy hiệu tuổi miễn công tác nghỉ hưu lương phụ cấp mức đóng thu nộp ' +
  'quản lý kiểm tra ' +
  'giám sát báo cáo đánh giá xếp loại hoàn thành xuất sắc tốt nhiệm vụ quyền lợi trách nhiệm học tập ' +
  'rèn luyện phấn đấu ' +
  'xã phường tỉnh thành phố huyện cơ quan đơn vị trường bệnh viện doanh nghiệp quân đội công an thôn ấp khu phố tổ dân'
).split(' ');

function makeText(rand: () => number, words: number) {
  return Array.from({ length: words }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join(' ');
}

/** Documents per insert statement in the bulk load: 1 000 chunks a round trip. */
const DOCS_PER_BATCH = 10;

/**
 * The bulk load: batches of 1 000 chunks, each one insert of its documents and one of their
 * chunks; the next batch is embedded while the database writes the previous one. The HNSW
 * index is built once at the end (as pgvector recommends for bulk loads), inside the timing.
 */
async function load(db: Db, n: number): Promise<number> {
  const rand = seededRandom(7);
  const started = performance.now();
  let writing: Promise<unknown> = Promise.resolve();
  for (let d0 = 0; d0 * PER_DOC < n; d0 += DOCS_PER_BATCH) {
    const docs: { d: number; chunks: Chunk[]; vectors: number[][] }[] = [];
    for (let d = d0; d < d0 + DOCS_PER_BATCH && d * PER_DOC < n; d++) {
      const chunks: Chunk[] = Array.from({ length: Math.min(PER_DOC, n - d * PER_DOC) }, (_, i) => {
        const body = `Điều ${i + 1}. ${makeText(rand, 8)}\n${makeText(rand, 60)}`;
        return {
          ord: i,
          headingPath: `TH-${d} › Điều ${i + 1}`,
          article: i + 1,
          clause: null,
          body,
          text: `TH-${d} › Điều ${i + 1}\n${body}`,
        };
      });
      docs.push({ d, chunks, vectors: await embedder.embedDocuments(chunks.map((c) => c.text)) });
    }
    await writing;
    writing = db.tx(async (sql) => {
      const rows = await sql.query<{ id: number; d: string }>(
        `insert into kb_documents (doc_key, title, content_hash, embed_model)
         select 'synthetic-' || d, 'Tài liệu tổng hợp ' || d, d::text, $2 from unnest($1::int[]) as d
         returning id, content_hash as d`,
        [docs.map((x) => x.d), embedder.model],
      );
      const idOf = new Map(rows.map((r) => [Number(r.d), Number(r.id)]));
      await insertChunkRows(
        sql,
        docs.flatMap((x) => x.chunks.map((chunk, j) => ({ documentId: idOf.get(x.d)!, chunk, vector: x.vectors[j] }))),
        embedder.dimensions,
      );
    });
  }
  await writing;
  await ensureVectorIndex(db, embedder.dimensions);
  const perS = n / ((performance.now() - started) / 1000);
  await refreshTermStats(db);
  return perS;
}

/** Latencies (ms, sorted) of `search` over the same seeded random questions. */
async function measure(search: (question: string) => Promise<unknown>): Promise<number[]> {
  const rand = seededRandom(99);
  const times: number[] = [];
  for (let i = 0; i < args.queries; i++) {
    const q = `${makeText(rand, 6)}?`;
    const t = performance.now();
    await search(q);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

const hybrid = (db: Db) => async (q: string) =>
  retrieve(db, embedder, await correctSpelling(db, q), { scopePath: null, limit: 10 });
/** The baseline: what a first version would do — every syllable OR-ed, ranked with ts_rank. */
const naiveFullText = (db: Db) => (q: string) =>
  db.query(
    `select id from kb_chunks where tsv @@ cast($1 as tsquery)
      order by ts_rank(tsv, cast($1 as tsquery)) desc limit 10`,
    [toTsqueryLiteral([...new Set(foldedSyllables(q))])],
  );

/** Lessons taught in the benchmark's province: what finding the one a question matches costs (issue 29 point 4). */
const LESSONS = 200;

/**
 * The whole question (askAssistant: retrieval, abstention, choices, editors' lessons, the record)
 * from a cell of a province whose editors taught LESSONS questions; and the lesson lookup alone.
 */
async function measureAsking(db: Db) {
  const province = await insertOrg(db, {
    parentId: null,
    kind: 'province',
    name: 'Tỉnh đo',
    deployed: true,
    notDeployedReason: null,
  });
  const rand = seededRandom(5);
  await db.query(
    `insert into kb_lessons (org_id, org_path, question, document_id, article)
     select $1, $2::ltree, q, (select min(id) from kb_documents), 1 from unnest($3::text[]) q`,
    [province.id, province.path, Array.from({ length: LESSONS }, () => makeText(rand, 7))],
  );
  const ai = { embedder, chat: null, mode: 'offline' as const };
  return {
    ask: await measure((q) => askAssistant(db, ai, { question: q, scopePath: province.path })),
    lessons: await measure(async (q) => findLesson(db, await correctSpelling(db, q), province.path)),
  };
}

async function main() {
  const { pgTimes, naiveTimes, ingestPerS, asking } = await withBenchDatabase('bench_retrieval', 4, async (pgDb) => {
    const ingestPerS = await load(pgDb, args.chunks);
    await pgDb.exec('analyze kb_chunks; analyze kb_documents;');
    return {
      ingestPerS,
      pgTimes: await measure(hybrid(pgDb)),
      naiveTimes: await measure(naiveFullText(pgDb)),
      asking: await measureAsking(pgDb),
    };
  });
  const ratio = percentile(pgTimes, 95) / percentile(naiveTimes, 95);
  console.log(
    `PostgreSQL: ${args.chunks} chunks ingested at ${round(ingestPerS)} chunks/s; ` +
      `hybrid p50 ${round(percentile(pgTimes, 50))} ms, p95 ${round(percentile(pgTimes, 95))} ms` +
      ` (${round(ratio, 2)}× the p95 of plain OR full text ranked with ts_rank, ` +
      `${round(percentile(naiveTimes, 95))} ms)`,
  );

  console.log(
    `PostgreSQL, a whole question (retrieval, abstention, choices, lessons, record): p50 ` +
      `${round(percentile(asking.ask, 50))} ms, p95 ${round(percentile(asking.ask, 95))} ms; of which finding ` +
      `the matching lesson among ${LESSONS}: p95 ${round(percentile(asking.lessons, 95))} ms`,
  );

  const liteChunks = args['pglite-chunks'] || args.chunks;
  const lite = await connectPglite(null);
  await migrate(lite);
  const liteIngest = await load(lite, liteChunks);
  const liteTimes = await measure(hybrid(lite));
  await lite.close();
  console.log(
    `PGlite: ${liteChunks} chunks ingested at ${round(liteIngest)} chunks/s; ` +
      `hybrid p50 ${round(percentile(liteTimes, 50))} ms, p95 ${round(percentile(liteTimes, 95))} ms`,
  );
  console.log(
    JSON.stringify({
      bench: 'retrieval',
      chunks: args.chunks,
      pg_p50_ms: round(percentile(pgTimes, 50)),
      pg_p95_ms: round(percentile(pgTimes, 95)),
      pglite_chunks: liteChunks,
      pglite_p50_ms: round(percentile(liteTimes, 50)),
      pglite_p95_ms: round(percentile(liteTimes, 95)),
      ingest_chunks_per_s: round(ingestPerS),
      pglite_ingest_chunks_per_s: round(liteIngest),
      baseline_pg_p95_ms: round(percentile(naiveTimes, 95)),
      pg_p95_vs_baseline: round(ratio, 3),
      pg_ask_p95_ms: round(percentile(asking.ask, 95)),
      pg_lesson_lookup_p95_ms: round(percentile(asking.lessons, 95)),
      lessons: LESSONS,
    }),
  );
}

runBench(main);
