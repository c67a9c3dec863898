/**
 * Hybrid retrieval. Two arms, both filtered inside SQL by the asker's visibility (subtree)
 * and document status, so nothing the asker may not see is ever ranked:
 *  - vector: nearest chunks by embedding (HNSW, cosine);
 *  - lexical: chunks matching any content term of the question (accent-folded syllables and
 *    syllable pairs on a GIN index, very common terms dropped first), re-ranked with BM25
 *    using the stored document frequencies (PostgreSQL's ts_rank knows no IDF).
 * The two rankings are fused with reciprocal rank fusion.
 */
import type { Sql } from '../api/db/connect.ts';
import type { Embedder } from './embed/embedder.ts';
import { queryTerms, toTsqueryLiteral } from './text.ts';
import { toVector } from './store.ts';
import { inOfficialWords, withOfficialWords } from './thesaurus.ts';

export interface RetrieveOptions {
  /** The asker's cell path; null sees only documents visible to everyone; 'all' (editors) sees everything. */
  scopePath: string | null | 'all';
  includeSuperseded?: boolean;
  limit?: number;
}

export interface Hit {
  chunkId: number;
  docKey: string;
  number: string | null;
  title: string;
  status: string;
  headingPath: string;
  article: number | null;
  clause: number | null;
  body: string;
  text: string;
  score: number;
}

const RRF_K = 60;
const VECTOR_CANDIDATES = 40;
const LEXICAL_CANDIDATES = 200;
/**
 * A term in more than this share of chunks (and at least MIN_COMMON of them) says little and
 * would make the candidate query match a large part of the store: it is dropped from the
 * candidate query (BM25 still weighs it when scoring the candidates).
 */
const COMMON_SHARE = 0.05;
const MIN_COMMON = 20;
/**
 * The candidate query ranks every chunk it matches (ts_rank_cd reads each one's tsvector), so
 * it takes the rarest terms first and stops adding terms once they would match more than about
 * this many chunks; BM25 still scores the candidates on all the question's terms.
 */
const MATCH_BUDGET = 2000;
const K1 = 1.2;
const B = 0.75;

export async function retrieve(
  sql: Sql,
  embedder: Embedder,
  question: string,
  options: RetrieveOptions,
): Promise<Hit[]> {
  const dim = embedder.dimensions;
  const search = withOfficialWords(question);
  const stats = await termStats(sql, search);
  const vector = await embedder.embedQuery(search);
  const scope = options.scopePath === 'all' ? null : options.scopePath;
  const filterParams = [options.includeSuperseded ?? false, options.scopePath === 'all', scope];
  const filter = `(d.status = 'in_force' or $2) and ($3::boolean or d.visibility_path is null or ($4::ltree is not null and $4::ltree <@ d.visibility_path))`;

  // The nearest chunks come from the HNSW index first, then the filters apply: a join or
  // filter inside the ordered scan can make the planner compute every distance instead.
  const vec = await sql.query<{ id: number }>(
    `select n.id from (
       select c.id, c.document_id, c.embedding::vector(${dim}) <=> $1::vector(${dim}) as distance
         from kb_chunks c where c.dim = ${dim}
        order by c.embedding::vector(${dim}) <=> $1::vector(${dim}) limit ${VECTOR_CANDIDATES * 3}
     ) n join kb_documents d on d.id = n.document_id
     where ${filter}
     order by n.distance limit ${VECTOR_CANDIDATES}`,
    [toVector(vector), ...filterParams],
  );
  // Rare terms: any of them. Only common terms: all of the rarest two, so the query stays selective.
  // The GIN match comes first (materialized): joined early, the planner may walk every chunk
  // of every visible document instead. Term frequencies come from the stored tsvector.
  const tsquery = toTsqueryLiteral(withinBudget(stats.kept, stats.onlyCommon), stats.onlyCommon);
  const lexCandidates = tsquery
    ? await sql.query<Candidate>(
        `with matched as materialized (
           select c.id, c.document_id, c.tsv, c.term_count, ts_rank_cd(c.tsv, q) as rank from kb_chunks c, cast($1 as tsquery) q where c.tsv @@ q
         ), top as (
           select m.id, m.tsv, m.term_count from matched m join kb_documents d on d.id = m.document_id
            where ${filter} order by m.rank desc, m.id limit ${LEXICAL_CANDIDATES}
         )
         select t.id,
                (select coalesce(json_object_agg(u.lexeme, cardinality(u.positions)), '{}') from unnest(t.tsv) u where u.lexeme = any($5::text[])) as tf,
                t.term_count as len
           from top t`,
        [tsquery, ...filterParams, stats.all.map((s) => s.term)],
      )
    : [];
  // Common terms only left the candidate query (for speed); IDF still weighs them in scoring.
  const lex = bm25Rank(lexCandidates, stats.all, stats.total);

  const fused = new Map<number, number>();
  for (const [i, r] of vec.entries()) fused.set(r.id, (fused.get(r.id) ?? 0) + 1 / (RRF_K + i + 1));
  for (const [i, id] of lex.entries()) fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + i + 1));
  const top = [...fused].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, options.limit ?? 10);
  if (!top.length) return [];
  const rows = await sql.query<Omit<Hit, 'score'>>(
    `select c.id as "chunkId", d.doc_key as "docKey", d.number, d.title, d.status, c.heading_path as "headingPath",
            c.article, c.clause, c.body, c.text
       from kb_chunks c join kb_documents d on d.id = c.document_id where c.id = any($1::bigint[])`,
    [top.map(([id]) => id)],
  );
  const byId = new Map(rows.map((r) => [Number(r.chunkId), r]));
  return top.map(([id, score]) => ({ ...byId.get(id)!, chunkId: id, score }));
}

interface TermStat {
  term: string;
  df: number;
}

/** Content terms of a question (folded, no function words) with their document frequencies. */
async function termStats(
  sql: Sql,
  question: string,
): Promise<{ kept: TermStat[]; all: TermStat[]; total: number; onlyCommon: boolean }> {
  const terms = queryTerms(question);
  if (terms.length === 0) return { kept: [], all: [], total: 0, onlyCommon: false };
  const rows = await sql.query<{ term: string; df: number; total: number }>(
    `select t.term, coalesce(s.df, 0) as df, coalesce((select value::int from kb_stats where key = 'chunks'), 0) as total
       from unnest($1::text[]) t(term) left join kb_term_df s on s.term = t.term`,
    [terms],
  );
  const total = rows[0]?.total ?? 0;
  return { ...keepRare(rows, total), all: rows, total };
}

/** Rare terms: all of them. Only common terms: the rarest two. */
function keepRare<T extends TermStat>(terms: T[], total: number): { kept: T[]; onlyCommon: boolean } {
  const rare = terms.filter((s) => s.df <= Math.max(MIN_COMMON, total * COMMON_SHARE));
  if (rare.length > 0 || !terms.length) return { kept: rare, onlyCommon: false };
  return { kept: [...terms].sort((a, b) => a.df - b.df).slice(0, 2), onlyCommon: true };
}

/**
 * The question's rare single syllables (or, when all are common, its two rarest): what answer
 * coverage is measured on. Pairs are left out; coverage looks at word pairs on its own.
 */
export async function contentTerms(sql: Sql, question: string): Promise<string[]> {
  const { all, total } = await termStats(sql, inOfficialWords(question));
  return keepRare(
    all.filter((s) => !s.term.includes(' ')),
    total,
  ).kept.map((s) => s.term);
}

const idfOf = (df: number, total: number) => Math.log(1 + (total - df + 0.5) / (df + 0.5));

/** The rarest terms whose chunks add up to at most MATCH_BUDGET (at least one); all of them for an AND. */
function withinBudget(terms: TermStat[], all: boolean): string[] {
  if (all) return terms.map((t) => t.term);
  let matched = 0;
  return [...terms]
    .sort((a, b) => a.df - b.df || a.term.localeCompare(b.term))
    .filter((t, i) => {
      matched += t.df;
      return matched <= MATCH_BUDGET || i === 0;
    })
    .map((t) => t.term);
}

interface Candidate {
  id: number;
  tf: Record<string, number>;
  len: number;
}

/** BM25 over the lexical candidates, IDF from the whole store's document frequencies. */
function bm25Rank(candidates: Candidate[], terms: TermStat[], total: number): number[] {
  if (!candidates.length) return [];
  const avg = candidates.reduce((n, c) => n + c.len, 0) / candidates.length || 1;
  const idf = terms.map((t) => [t.term, idfOf(t.df, total)] as const);
  return candidates
    .map((c) => {
      let s = 0;
      for (const [term, w] of idf) {
        const f = c.tf[term];
        if (f) s += (w * f * (K1 + 1)) / (f + K1 * (1 - B + (B * c.len) / avg));
      }
      return { id: Number(c.id), s };
    })
    .sort((a, b) => b.s - a.s || a.id - b.id)
    .map((d) => d.id);
}
