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
import { withOfficialWords } from './thesaurus.ts';
import { type AnswerType, expectedAnswerType, fitsAnswerType } from './answer-type.ts';

export interface RetrieveOptions {
  /** The asker's cell path; null sees only documents visible to everyone; 'all' (editors) sees everything. */
  scopePath: string | null | 'all';
  includeSuperseded?: boolean;
  limit?: number;
  /** Overrides of the ranking parameters, for the evaluation's cross-validated search. */
  params?: Partial<RankingParams>;
  /** Attach to each hit the arms' ranks and the question terms it matched (eval:retrieval --explain). */
  explain?: boolean;
}

/**
 * The ranking's free parameters. Each was measured with `npm run eval:retrieval -- --cv`
 * (chosen on one half of the question sets, scored on the other half) — see docs/benchmarks.md.
 */
export interface RankingParams {
  /**
   * BM25F: an occurrence in the chunk's heading (title › Chương › Điều and its title) counts as this
   * many body occurrences.
   */
  headWeight: number;
  /** Weighted reciprocal rank fusion (Cormack et al. 2009): weight of the lexical arm; the vector arm's is 1. */
  lexicalWeight: number;
  /** RRF's k: how fast a lower rank stops counting. */
  rrfK: number;
  /** Term proximity (Rasolofo & Savoy 2003): weight of the bonus for two question terms close together. */
  proximity: number;
}

/**
 * lexicalWeight 1.5 is the fusion weight for an embedder that says nothing else (a model server's
 * embeddings: not measured here, there is no model server in the evaluation); the offline
 * hashing embedder sets its own (HashingEmbedder.lexicalWeight).
 */
export const DEFAULT_PARAMS: RankingParams = { headWeight: 2, lexicalWeight: 1.5, rrfK: 60, proximity: 0 };

/** The ranking parameters with an embedder: the defaults, its own fusion weight when it has one. */
export const paramsFor = (embedder: Pick<Embedder, 'lexicalWeight'>): RankingParams => ({
  ...DEFAULT_PARAMS,
  ...(embedder.lexicalWeight === undefined ? {} : { lexicalWeight: embedder.lexicalWeight }),
});

/**
 * Why a hit ranked where it did: each arm's rank (1-based, null when that arm did not find it) and the
 * terms it matched.
 */
export interface HitExplanation {
  vectorRank: number | null;
  lexicalRank: number | null;
  terms: string[];
}

export interface Hit {
  chunkId: number;
  docKey: string;
  number: string | null;
  title: string;
  status: string;
  /** The key of the document that replaced this one, if any. */
  replacedBy: string | null;
  issuedOn: string | null;
  headingPath: string;
  article: number | null;
  clause: number | null;
  body: string;
  text: string;
  score: number;
  why?: HitExplanation;
}

const VECTOR_CANDIDATES = 40;
const LEXICAL_CANDIDATES = 100;
/**
 * A term in more than this share of chunks (and at least MIN_COMMON of them) says little and
 * would make the candidate query match a large part of the store: it is dropped from the
 * candidate query (BM25 still weighs it when scoring the candidates).
 */
export const COMMON_SHARE = 0.05;
export const MIN_COMMON = 20;
/**
 * The candidate query ranks every chunk it matches (ts_rank_cd reads each one's tsvector), so
 * it takes the rarest terms first and stops adding terms once they would match more than about
 * this many chunks; BM25 still scores the candidates on all the question's terms.
 */
const MATCH_BUDGET = 1000;
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
  // The two arms are independent: on PostgreSQL they run at once on two pooled connections.
  const [stats, vector] = await Promise.all([termStats(sql, search), embedder.embedQuery(search)]);
  const scope = options.scopePath === 'all' ? null : options.scopePath;
  const filterParams = [options.includeSuperseded ?? false, options.scopePath === 'all', scope];
  const filter = `(d.status = 'in_force' or $2) and ($3::boolean or d.visibility_path is null or ($4::ltree is not null
                   and $4::ltree <@ d.visibility_path))`;

  // The nearest chunks come from the HNSW index first, then the filters apply: a join or
  // filter inside the ordered scan can make the planner compute every distance instead.
  const vecQuery = sql.query<{ id: number }>(
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
  const lexQuery = tsquery
    ? sql.query<Candidate>(
        `with matched as materialized (
           select c.id, c.document_id, c.tsv, c.term_count, ts_rank_cd(c.tsv, q) as rank
             from kb_chunks c, cast($1 as tsquery) q where c.tsv @@ q
         ), top as (
           select m.id, m.tsv, m.term_count from matched m join kb_documents d on d.id = m.document_id
            where ${filter} order by m.rank desc, m.id limit ${LEXICAL_CANDIDATES}
         )
         select t.id,
                (select coalesce(json_object_agg(u.lexeme, json_build_array(u.positions, u.weights)), '{}')
                   from unnest(t.tsv) u where u.lexeme = any($5::text[])) as tf,
                t.term_count as len
           from top t`,
        [tsquery, ...filterParams, stats.all.map((s) => s.term)],
      )
    : Promise.resolve([]);
  const [vec, lexCandidates] = await Promise.all([vecQuery, lexQuery]);
  // Common terms only left the candidate query (for speed); IDF still weighs them in scoring.
  const p = { ...paramsFor(embedder), ...options.params };
  const lex = bm25Rank(lexCandidates, stats.all, stats.total, p);

  const fused = new Map<number, number>();
  for (const [i, r] of vec.entries()) fused.set(r.id, (fused.get(r.id) ?? 0) + 1 / (p.rrfK + i + 1));
  for (const [i, { id }] of lex.entries()) fused.set(id, (fused.get(id) ?? 0) + p.lexicalWeight / (p.rrfK + i + 1));
  const limit = options.limit ?? 10;
  // A few more than asked: boilerplate is dropped, and the answer type may bring one forward.
  const top = [...fused].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, Math.max(limit, TYPE_WINDOW) + 3);
  if (!top.length) return [];
  const rows = await sql.query<Omit<Hit, 'score'> & { frontMatter: boolean }>(
    `select c.id as "chunkId", d.doc_key as "docKey", d.number, d.title, d.status, d.replaced_by as "replacedBy",
            to_char(d.issued_on, 'DD/MM/YYYY') as "issuedOn", c.heading_path as "headingPath",
            c.article, c.clause, c.body, c.text,
            (c.article is null and exists (select 1 from kb_chunks x
               where x.document_id = c.document_id and x.article is not null)) as "frontMatter"
       from kb_chunks c join kb_documents d on d.id = c.document_id where c.id = any($1::bigint[])`,
    [top.map(([id]) => id)],
  );
  const byId = new Map(rows.filter((r) => !isBoilerplate(r)).map(({ frontMatter: _, ...r }) => [Number(r.chunkId), r]));
  const explain = (id: number): HitExplanation => {
    const v = vec.findIndex((r) => Number(r.id) === id);
    const l = lex.findIndex((r) => r.id === id);
    return { vectorRank: v < 0 ? null : v + 1, lexicalRank: l < 0 ? null : l + 1, terms: l < 0 ? [] : lex[l].terms };
  };
  const hits = top
    .filter(([id]) => byId.has(id))
    .map(([id, score]) => ({
      ...byId.get(id)!,
      chunkId: id,
      score,
      ...(options.explain ? { why: explain(id) } : {}),
    }));
  // A quantity asked for leads the ranking (and so what abstention reads: its typedCoverage
  // feature was fitted on it). A list or steps asked for only chooses among the passages once
  // the question is found answerable (answer.ts): promoted before, a procedure of another
  // subject sharing "thủ tục" would make an unanswerable question look answered.
  const type = expectedAnswerType(question);
  return (type === 'quantity' ? answerTypeFirst(hits, type) : hits).slice(0, limit);
}

/** How far down the ranking a passage of the expected answer type may come forward from. */
const TYPE_WINDOW = 5;
/** A passage scoring at least this share of the best is as good a match. */
export const NEARLY = 0.75;
/** A passage outside any article of fewer words than this is a heading alone (a title, a subtitle). */
const HEADING_WORDS = 8;

/**
 * Never an answer: the text before a structured document's first article (its title, subtitle,
 * disclaimer, table of contents — "Tài liệu mẫu — soạn riêng cho bản demo…"), or a passage
 * outside any article that is a heading alone. Such a passage shares the document's words, so
 * it ranks well for any short question about the document, and answers none.
 */
function isBoilerplate(row: { frontMatter: boolean; article: number | null; body: string }): boolean {
  return row.frontMatter || (row.article === null && countWords(row.body) < HEADING_WORDS);
}

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * The expected answer type (answer-type.ts) decides among passages that match about as well:
 * of those within NEARLY of the best and among the first TYPE_WINDOW, the ones of the type
 * ("bao nhiêu": a quantity; "gồm những gì", "thủ tục": a list of at least three items) come
 * first, in their fused order. A passage far below the best never jumps ahead for its shape.
 */
export function answerTypeFirst<T extends { score: number; body: string }>(hits: T[], type: AnswerType | null): T[] {
  if (!type || hits.length < 2) return hits;
  const best = hits[0].score;
  const close = (h: T, i: number) => i < TYPE_WINDOW && h.score >= best * NEARLY;
  const lead = hits.filter((h, i) => close(h, i) && fitsAnswerType(type, h.body));
  if (!lead.length || lead[0] === hits[0]) return hits;
  return [...lead, ...hits.filter((h) => !lead.includes(h))];
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
  const { rows, total } = await documentFrequencies(sql, terms);
  return { ...keepRare(rows, total), all: rows, total };
}

/** How many chunks contain each term (0: never seen), and how many chunks the store holds. */
export async function documentFrequencies(sql: Sql, terms: string[]): Promise<{ rows: TermStat[]; total: number }> {
  const rows = await sql.query<TermStat & { total: number }>(
    `select t.term, coalesce(s.df, 0) as df,
            coalesce((select value::int from kb_stats where key = 'chunks'), 0) as total
       from unnest($1::text[]) t(term) left join kb_term_df s on s.term = t.term`,
    [terms],
  );
  return { rows, total: Number(rows[0]?.total ?? 0) };
}

/** Rare terms: all of them. Only common terms: the rarest two. */
function keepRare<T extends TermStat>(terms: T[], total: number): { kept: T[]; onlyCommon: boolean } {
  const rare = terms.filter((s) => s.df <= Math.max(MIN_COMMON, total * COMMON_SHARE));
  if (rare.length > 0 || !terms.length) return { kept: rare, onlyCommon: false };
  return { kept: [...terms].sort((a, b) => a.df - b.df).slice(0, 2), onlyCommon: true };
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
  /** term → [positions, weights] from the chunk's tsvector (A = heading, D = passage). */
  tf: Record<string, [number[], string[]]>;
  len: number;
}

/**
 * BM25F over the lexical candidates, IDF from the whole store's document frequencies: a
 * heading occurrence weighs `headWeight` body occurrences before saturation. With
 * `proximity` > 0, two question syllables close together in the passage add
 * idf(min) / distance² (Rasolofo & Savoy's term-proximity scoring).
 */
function bm25Rank(
  candidates: Candidate[],
  terms: TermStat[],
  total: number,
  p: RankingParams,
): { id: number; s: number; terms: string[] }[] {
  if (!candidates.length) return [];
  const avg = candidates.reduce((n, c) => n + c.len, 0) / candidates.length || 1;
  const idf = terms.map((t) => [t.term, idfOf(t.df, total)] as const);
  const singles = idf.filter(([t]) => !t.includes(' '));
  return candidates
    .map((c) => {
      let s = 0;
      const matched: string[] = [];
      for (const [term, w] of idf) {
        const entry = c.tf[term];
        if (!entry) continue;
        const head = entry[1].filter((x) => x === 'A').length;
        const f = p.headWeight * head + (entry[0].length - head);
        s += (w * f * (K1 + 1)) / (f + K1 * (1 - B + (B * c.len) / avg));
        matched.push(term);
      }
      if (p.proximity > 0) {
        for (let i = 0; i < singles.length; i++) {
          for (let j = i + 1; j < singles.length; j++) {
            const [a, b] = [c.tf[singles[i][0]]?.[0], c.tf[singles[j][0]]?.[0]];
            if (!a || !b) continue;
            let d = Number.POSITIVE_INFINITY;
            for (const x of a) for (const y of b) d = Math.min(d, Math.abs(x - y) || Number.POSITIVE_INFINITY);
            if (d <= 5) s += (p.proximity * Math.min(singles[i][1], singles[j][1])) / (d * d);
          }
        }
      }
      return { id: Number(c.id), s, terms: matched };
    })
    .sort((a, b) => b.s - a.s || a.id - b.id);
}
