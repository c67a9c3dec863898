/**
 * npm run reembed — after changing the embedding model or dimension, re-embeds every chunk
 * made by another model, document by document (each in one transaction, so questions keep
 * working meanwhile), then builds the HNSW index for the new dimension.
 */
import { readConfig } from '../api/config.ts';
import { connectDb } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { chooseEmbedder } from './embed/choose-embedder.ts';
import { ensureVectorIndex, toVector } from './store.ts';

const config = readConfig();
const db = await connectDb(config.databaseUrl, config.dataDir);
await migrate(db);
const embedder = chooseEmbedder();
const docs = await db.query<{ id: number; key: string }>(
  `select id, doc_key as key from kb_documents where embed_model <> $1 order by id`,
  [embedder.model],
);
let chunks = 0;
for (const doc of docs) {
  const rows = await db.query<{ id: number; text: string }>(
    `select id, text from kb_chunks where document_id = $1 order by ord`,
    [doc.id],
  );
  const vectors = await embedder.embedDocuments(rows.map((r) => r.text));
  await db.tx(async (sql) => {
    await sql.query(
      `update kb_chunks c set embedding = v.e::vector, dim = $3 from unnest($1::bigint[], $2::text[]) as v(id, e)
        where c.id = v.id`,
      [rows.map((r) => r.id), vectors.map(toVector), embedder.dimensions],
    );
    await sql.query(`update kb_documents set embed_model = $2 where id = $1`, [doc.id, embedder.model]);
  });
  chunks += rows.length;
  process.stdout.write(`\r${doc.key}: ${rows.length} đoạn`.padEnd(60));
}
await ensureVectorIndex(db, embedder.dimensions);
console.log(`\nĐã nhúng lại ${chunks} đoạn của ${docs.length} tài liệu bằng ${embedder.model}.`);
await db.close();
