/**
 * bench:retrieval — N synthetic Vietnamese chunks loaded into PostgreSQL and into PGlite
 * (offline embeddings, HNSW + GIN), then hybrid retrieval latency for random questions on
 * each, and ingest throughput.
 *
 *   npm run bench:retrieval -- --chunks 100000 [--queries 200] [--pglite-chunks N]
 */
import { connectPglite, type Db } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { seededRandom } from '../api/demo/names.ts';
import { HashingEmbedder } from '../knowledge/embed/hashing-embedder.ts';
import { ensureVectorIndex, insertChunks, refreshTermStats } from '../knowledge/store.ts';
import { retrieve } from '../knowledge/retrieve.ts';
import type { Chunk } from '../ingest/chunk.ts';
import { benchArgs, percentile, round, runBench, withBenchDatabase } from './args.ts';

const args = benchArgs({ chunks: 100_000, queries: 200, 'pglite-chunks': 0 });
const embedder = new HashingEmbedder(512);
const PER_DOC = 100;

// A vocabulary of real syllables, so term statistics look like Vietnamese text.
const SYLLABLES = ('đảng viên chi bộ sinh hoạt nghị quyết biểu quyết kết nạp dự bị chính thức đảng phí kỷ luật khiển trách cảnh cáo ' +
  'khai trừ chuyển tổ chức cơ sở cấp ủy bí thư phó thường kỳ chuyên đề tháng quý năm hội nghị đại hội bầu cử ứng cử đề cử ' +
  'hồ sơ giấy giới thiệu lý lịch thẻ huy hiệu tuổi miễn công tác nghỉ hưu lương phụ cấp mức đóng thu nộp quản lý kiểm tra ' +
  'giám sát báo cáo đánh giá xếp loại hoàn thành xuất sắc tốt nhiệm vụ quyền lợi trách nhiệm học tập rèn luyện phấn đấu ' +
  'xã phường tỉnh thành phố huyện cơ quan đơn vị trường bệnh viện doanh nghiệp quân đội công an thôn ấp khu phố tổ dân').split(' ');

function makeText(rand: () => number, words: number) {
  return Array.from({ length: words }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join(' ');
}

async function load(db: Db, n: number): Promise<number> {
  const rand = seededRandom(7);
  const started = performance.now();
  for (let d = 0; d * PER_DOC < n; d++) {
    const [{ id }] = await db.query<{ id: number }>(
      `insert into kb_documents (doc_key, title, content_hash, embed_model) values ($1, $2, $3, $4) returning id`,
      [`synthetic-${d}`, `Tài liệu tổng hợp ${d}`, String(d), embedder.model],
    );
    const chunks: Chunk[] = Array.from({ length: Math.min(PER_DOC, n - d * PER_DOC) }, (_, i) => {
      const body = `Điều ${i + 1}. ${makeText(rand, 8)}\n${makeText(rand, 60)}`;
      return { ord: i, headingPath: `TH-${d} › Điều ${i + 1}`, article: i + 1, clause: null, body, text: `TH-${d} › Điều ${i + 1}\n${body}` };
    });
    await db.tx((sql) => embedder.embedDocuments(chunks.map((c) => c.text)).then((v) => insertChunks(sql, id, chunks, v, embedder.dimensions)));
  }
  // A bulk load builds the HNSW index once at the end, as pgvector recommends.
  await ensureVectorIndex(db, embedder.dimensions);
  const perS = n / ((performance.now() - started) / 1000);
  await refreshTermStats(db);
  return perS;
}

async function measure(db: Db): Promise<number[]> {
  const rand = seededRandom(99);
  const times: number[] = [];
  for (let i = 0; i < args.queries; i++) {
    const q = `${makeText(rand, 6)}?`;
    const t = performance.now();
    await retrieve(db, embedder, q, { scopePath: null, limit: 10 });
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

async function main() {
  const { pgTimes, ingestPerS } = await withBenchDatabase('bench_retrieval', 4, async (pgDb) => {
    const ingestPerS = await load(pgDb, args.chunks);
    await pgDb.exec('analyze kb_chunks; analyze kb_documents;');
    return { ingestPerS, pgTimes: await measure(pgDb) };
  });
  console.log(`PostgreSQL: ${args.chunks} chunks ingested at ${round(ingestPerS)} chunks/s; hybrid p50 ${round(percentile(pgTimes, 50))} ms, p95 ${round(percentile(pgTimes, 95))} ms`);

  const liteChunks = args['pglite-chunks'] || args.chunks;
  const lite = await connectPglite(null);
  await migrate(lite);
  const liteIngest = await load(lite, liteChunks);
  const liteTimes = await measure(lite);
  await lite.close();
  console.log(`PGlite: ${liteChunks} chunks ingested at ${round(liteIngest)} chunks/s; hybrid p50 ${round(percentile(liteTimes, 50))} ms, p95 ${round(percentile(liteTimes, 95))} ms`);
  console.log(JSON.stringify({
    bench: 'retrieval', chunks: args.chunks, pg_p50_ms: round(percentile(pgTimes, 50)), pg_p95_ms: round(percentile(pgTimes, 95)),
    pglite_chunks: liteChunks, pglite_p50_ms: round(percentile(liteTimes, 50)), pglite_p95_ms: round(percentile(liteTimes, 95)),
    ingest_chunks_per_s: round(ingestPerS), pglite_ingest_chunks_per_s: round(liteIngest),
  }));
}


runBench(main);
