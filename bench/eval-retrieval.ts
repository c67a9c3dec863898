/**
 * eval:retrieval — ingests a corpus into a fresh throwaway database, asks every question,
 * and prints Recall@1/5/10, MRR@10, nDCG@10 and abstention figures for hybrid retrieval
 * (offline embedder; and the remote one when OPENAI_API_KEY is set) and for a plain BM25
 * baseline over the same chunks, in the same run.
 *
 *   npm run eval:retrieval                      (dev set, plus the held-out sets and their variants)
 *   npm run eval:retrieval -- --explain         (per question of every set: what ranked above the right
 *                                               article, and why; the question as spelling correction read it)
 *   npm run eval:retrieval -- --cv              (ranking parameters chosen on one half, scored on the other)
 *   npm run eval:retrieval -- --corpus <dir> --qa <file.jsonl> --also <a.jsonl,b.jsonl>
 *
 * Every set is also asked in two mechanically derived variants: without diacritics, and with
 * seeded typing slips (a letter dropped, doubled, swapped with its neighbour, or a neighbouring
 * key) — so no one tunes on the wording of a question they wrote.
 *
 * Abstention (knowledge/abstain.ts) is a small logistic regression over features measured per
 * question. `--fit` fits it on the dev set (as written, without diacritics, with slips) and
 * generic synthetic off-topic questions (bench/off-topic-questions.ts), and writes
 * knowledge/abstain-model.json; every run cross-validates the candidate feature sets on those
 * same questions (5 folds by question) and scores the shipped model on the held-out sets it
 * never saw, each with 95 % Wilson intervals.
 *
 *   npm run eval:retrieval -- --fit [--features rareCoverage,knownPairs]
 */
import fs from 'node:fs';
import path from 'node:path';
import { connectPglite, type Db } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { seededRandom } from '../api/demo/names.ts';
import { foldVietnamese } from '../api/text/fold.ts';
import { ingestFile } from '../ingest/ingest-file.ts';
import { SUPPORTED_EXTENSIONS } from '../ingest/loaders/load-file.ts';
import { HashingEmbedder } from '../knowledge/embed/hashing-embedder.ts';
import { chooseEmbedder } from '../knowledge/embed/choose-embedder.ts';
import type { Embedder } from '../knowledge/embed/embedder.ts';
import { refreshTermStats } from '../knowledge/store.ts';
import { DEFAULT_PARAMS, type Hit, paramsFor, type RankingParams, retrieve } from '../knowledge/retrieve.ts';
import { CHOICE_SHARE, MAX_CHOICES } from '../knowledge/answer.ts';
import { correctSpelling } from '../knowledge/spelling.ts';
import {
  ABSTAIN_MODEL,
  type AbstainFeatures,
  type AbstainModel,
  answerability,
  FEATURE_NAMES,
  type FeatureName,
  measureFeatures,
  type Vocabulary,
  vocabularyOf,
} from '../knowledge/abstain.ts';
import { Bm25 } from '../knowledge/bm25.ts';
import { benchArgs, round, runBench } from './args.ts';
import { crossValidate, type Example, fitLogistic, hashOf } from './fit-abstain.ts';
import { offTopicQuestions } from './off-topic-questions.ts';

const flags = { explain: false, cv: false, fit: false };
for (const f of Object.keys(flags) as (keyof typeof flags)[]) {
  const i = process.argv.indexOf(`--${f}`);
  if (i >= 0) {
    flags[f] = true;
    process.argv.splice(i, 1);
  }
}
const args = benchArgs({
  corpus: '../shared/eval/corpus',
  qa: '../shared/eval/qa-dev.jsonl',
  also: 'test/data/knowledge/qa-own.jsonl,test/data/knowledge/qa-articles.jsonl,test/data/knowledge/qa-new-user.jsonl',
  /** Overrides the model's decision threshold on p(answerable) for this run (−1: the model's). */
  threshold: -1,
  params: '',
  folds: 5,
  /** With --fit: the features of the model to fit (default: the shipped model's). */
  features: '',
  /** Synthetic off-topic questions added to the training questions. */
  synthetic: 120,
});

interface Question {
  id: string;
  question: string;
  relevant: string[];
  kind: string;
}
interface Ranked {
  /** The question as searched (spelling corrected), and the store's frequencies of its terms. */
  asked: string;
  vocab: Vocabulary;
  keys: string[];
  features: AbstainFeatures;
  hits: Hit[];
}
interface QuestionSet {
  name: string;
  questions: Question[];
}

const readSet = (file: string): Question[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

/** A QWERTY neighbour of each letter: the slip of a finger. */
const NEIGHBOURS: Record<string, string> = {
  a: 'sq',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  x: 'zc',
  y: 'tu',
};

/** One or two words of the question with a seeded typing slip each. */
export function withSlips(question: string, seed: number): string {
  const rand = seededRandom(seed);
  const words = question.split(' ');
  const candidates = words.map((w, i) => [w, i] as const).filter(([w]) => /^\p{L}{4,}$/u.test(w));
  for (let n = 0; n < Math.min(candidates.length, 1 + Math.floor(rand() * 2)); n++) {
    const [word, i] = candidates.splice(Math.floor(rand() * candidates.length), 1)[0];
    const chars = [...word];
    const at = 1 + Math.floor(rand() * (chars.length - 1));
    const kind = Math.floor(rand() * 4);
    if (kind === 0) chars.splice(at, 1);
    else if (kind === 1) chars.splice(at, 0, chars[at]);
    else if (kind === 2) [chars[at - 1], chars[at]] = [chars[at], chars[at - 1]];
    else {
      const near = NEIGHBOURS[foldVietnamese(chars[at])] ?? 'a';
      chars[at] = near[Math.floor(rand() * near.length)];
    }
    words[i] = chars.join('');
  }
  return words.join(' ');
}

function variants(set: QuestionSet): QuestionSet[] {
  return [
    set,
    {
      name: `${set.name}/no-diacritics`,
      questions: set.questions.map((q) => ({ ...q, question: foldVietnamese(q.question) })),
    },
    {
      name: `${set.name}/slips`,
      questions: set.questions.map((q) => ({ ...q, question: withSlips(q.question, hashOf(q.id)) })),
    },
  ];
}

async function main() {
  if (!fs.existsSync(args.corpus))
    throw new Error(`no corpus at ${args.corpus}: pass --corpus <folder> --qa <file.jsonl>`);
  // Overrides of the ranking parameters; each embedder's own fusion weight applies otherwise (paramsFor).
  const params: Partial<RankingParams> = args.params ? JSON.parse(args.params) : {};
  const dev: QuestionSet = { name: path.basename(args.qa, '.jsonl'), questions: readSet(args.qa) };
  const heldOut: QuestionSet[] = args.also
    .split(',')
    .filter(Boolean)
    .map((f) => ({ name: path.basename(f, '.jsonl'), questions: readSet(f) }));
  const out: Record<string, unknown> = { eval: 'retrieval', questions: dev.questions.length };
  const corpus = await loadCorpus(new HashingEmbedder(512));
  let model = ABSTAIN_MODEL;
  try {
    const [devSet, ...devVariants] = variants(dev);
    const devRuns = await ask(corpus, dev.questions, params);
    const devVariantRuns = [];
    for (const s of devVariants) devVariantRuns.push(await ask(corpus, s.questions, params));
    // Abstention is fitted on the dev set as written, without diacritics and with typing
    // slips, plus generic synthetic off-topic questions. The variants keep the decision from
    // leaning on clean spelling: fitted without the slips, a model that reads unknown words
    // declines a third of the slipped questions.
    const synthetic = offTopicQuestions(args.synthetic);
    const syntheticRuns = await ask(corpus, synthetic, params);
    const training: Example[] = [
      ...examplesOf(dev.questions, devRuns),
      ...examplesOf(devVariants[0].questions, devVariantRuns[0]),
      ...examplesOf(devVariants[1].questions, devVariantRuns[1]),
      ...examplesOf(synthetic, syntheticRuns),
    ];
    const fitted = chooseFeatures(training, dev.questions.length, synthetic.length);
    if (flags.fit) {
      const features = args.features ? (args.features.split(',') as FeatureName[]) : ABSTAIN_MODEL.features;
      const cv = fitted.find((c) => c.features.join(',') === features.join(',')) ?? {
        features,
        ...cvFigures(training, features, dev.questions.length, synthetic.length),
      };
      model = fitLogistic(
        training,
        features,
        `npm run eval:retrieval -- --fit${args.features ? ` --features ${args.features}` : ''} ` +
          `(${new Date().toISOString().slice(0, 10)}): ` +
          `fitted on ${dev.name} (${dev.questions.length} questions) as written, ` +
          'without diacritics and with typing slips, ' +
          `plus ${synthetic.length} synthetic off-topic questions (bench/off-topic-questions.ts); ` +
          `${args.folds}-fold cross-validation on those: dev declines ${cv.dev.declines} ` +
          `(95 % CI ${cv.dev.declines_ci95.join('–')}), wrong declines ${cv.dev.wrong_declines} ` +
          `(${cv.dev.wrong_declines_ci95.join('–')}); synthetic declines ${cv.synthetic_declines}.`,
      );
      // Written as the formatter (Biome) writes it: short arrays on one line.
      const json = JSON.stringify(model, null, 2).replace(
        /\[\s+([^\]]*?)\s+\]/g,
        (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`,
      );
      fs.writeFileSync(new URL('../knowledge/abstain-model.json', import.meta.url), `${json}\n`);
      console.error(`wrote knowledge/abstain-model.json: ${JSON.stringify(model)}`);
    }
    if (args.threshold >= 0) model = { ...model, threshold: args.threshold };

    out.hybrid = score(dev.questions, devRuns, model);
    out.bm25 = score(dev.questions, bm25Runs(corpus, dev.questions, devRuns, params), model);
    const own = fitted.find((c) => c.features.join(',') === model.features.join(','));
    const sets: Record<string, { hybrid: Metrics; bm25: Metrics }> = {};
    const declines: Record<string, ReturnType<typeof withIntervals>> = {};
    const seen: Record<string, ReturnType<typeof whatMembersSee>> = {};
    // The held-out sets and their variants, then the dev set's variants (already asked, for the fit).
    const scored: [QuestionSet, Ranked[]][] = [];
    for (const s of heldOut.flatMap(variants)) scored.push([s, await ask(corpus, s.questions, params)]);
    for (const [i, s] of devVariants.entries()) scored.push([s, devVariantRuns[i]]);
    for (const [s, runs] of scored) {
      sets[s.name] = {
        hybrid: score(s.questions, runs, model),
        bm25: score(s.questions, bm25Runs(corpus, s.questions, runs, params), model),
      };
      declines[s.name] = withIntervals(s.questions, runs, model);
      seen[s.name] = whatMembersSee(s.questions, runs, model);
      if (flags.explain) explain(s.name, s.questions, runs, model);
    }
    out.abstention = {
      threshold: model.threshold,
      folds: args.folds,
      cv_threshold_mean_sd: own?.threshold_mean_sd ?? null,
      cv_declines_mean_sd: own?.declines_mean_sd ?? null,
      cv_wrong_declines_mean_sd: own?.wrong_declines_mean_sd ?? null,
      // The shipped model on the dev set: fitted on it (in-sample); the honest dev figure is cv_dev.
      dev: withIntervals(devSet.questions, devRuns, model),
      model: { features: model.features, weights: model.weights, bias: model.bias, source: model.source },
      cv_dev: own?.dev ?? null,
      candidates: Object.fromEntries(fitted.map((c) => [c.features.join('+'), c.dev])),
      // Sets the model was never fitted on (slips of the dev set included).
      sets: declines,
      synthetic: withIntervals(synthetic, syntheticRuns, model),
      // What a member sees (knowledge/answer.ts): an answer, the articles offered as choices, or a plain decline.
      seen: { [dev.name]: whatMembersSee(dev.questions, devRuns, model), ...seen },
    };
    out.sets = sets;
    out.params = { ...paramsFor(corpus.embedder), ...params };
    if (flags.cv) out.cv = await crossValidateParams(corpus, heldOut.flatMap(variants));
    if (flags.explain) explain(dev.name, dev.questions, devRuns, model);
  } finally {
    await corpus.db.close();
  }
  if (process.env.OPENAI_API_KEY) {
    const remote = await loadCorpus(chooseEmbedder());
    try {
      out.hybrid_remote = score(dev.questions, await ask(remote, dev.questions, params), model);
    } finally {
      await remote.db.close();
    }
  }
  console.log(`${'set'.padEnd(36)} ${'arm'.padEnd(7)} R@1   R@5   MRR@10 declines wrong-declines`);
  const row = (name: string, arm: string, m: Metrics) =>
    console.log(
      `${name.padEnd(36)} ${arm.padEnd(7)} ${fmt(m['recall@1'])} ${fmt(m['recall@5'])} ${fmt(m['mrr@10'])}  ` +
        `${fmt(m.abstain_accuracy)}    ${fmt(m.false_abstain)}`,
    );
  row(dev.name, 'hybrid', out.hybrid as Metrics);
  row(dev.name, 'bm25', out.bm25 as Metrics);
  for (const [name, m] of Object.entries(out.sets as Record<string, { hybrid: Metrics; bm25: Metrics }>)) {
    row(name, 'hybrid', m.hybrid);
    row(name, 'bm25', m.bm25);
  }
  const a = out.abstention as { cv_dev: Interval | null; sets: Record<string, Interval>; synthetic: Interval };
  console.log(`\nabstention (model: ${model.features.join(', ')}; decline below p = ${model.threshold})`);
  console.log(`${'set'.padEnd(36)} declines (95 % CI)            wrong declines (95 % CI)`);
  const line = (name: string, x: Interval) =>
    console.log(
      `${name.padEnd(36)} ${x.declines.padEnd(8)} (${x.declines_ci95.join('–')})`.padEnd(68) +
        ` ${x.wrong_declines.padEnd(8)} (${x.wrong_declines_ci95.join('–')})`,
    );
  if (a.cv_dev) line(`${dev.name} (${args.folds}-fold CV)`, a.cv_dev);
  for (const [name, x] of Object.entries(a.sets)) line(name, x);
  line('synthetic off-topic', a.synthetic);
  console.log(
    `\nwhat a member sees: answerable — answered from the right article / from another, choices with the right` +
      ' article / without it, plain decline; unanswerable — plain decline / choices / answered',
  );
  const seenOf = (out.abstention as { seen: Record<string, ReturnType<typeof whatMembersSee>> }).seen;
  for (const [name, x] of Object.entries(seenOf))
    console.log(
      `${name.padEnd(36)} ${[x.answerable.right, x.answerable.other, x.answerable.choices_with_right]
        .concat([x.answerable.choices_without, x.answerable.plain])
        .join(' / ')
        .padEnd(24)}  ${[x.unanswerable.plain, x.unanswerable.choices, x.unanswerable.answered].join(' / ')}`,
    );
  console.log(JSON.stringify(out));
}

type Interval = ReturnType<typeof withIntervals>;

/** Training examples of a question set: a question and its variants share a group (the id). */
const examplesOf = (questions: Question[], runs: Ranked[]): Example[] =>
  questions.map((q, i) => ({ group: q.id, features: runs[i].features, answerable: q.relevant.length > 0 }));

/**
 * Cross-validated figures of a feature set on the training questions: the dev questions as
 * written (the first `devCount` examples) and the synthetic ones (the last `synCount`).
 */
function cvFigures(training: Example[], features: FeatureName[], devCount: number, synCount: number) {
  const cv = crossValidate(training, features, args.folds);
  const dev = training.slice(0, devCount);
  const declined = cv.declined.slice(0, devCount);
  const pick = (answerable: boolean) =>
    dev.map((e, i) => ({ e, d: declined[i] })).filter((x) => x.e.answerable === answerable);
  const un = pick(false);
  const an = pick(true);
  const k = un.filter((x) => x.d).length;
  const w = an.filter((x) => x.d).length;
  const syn = cv.declined.slice(training.length - synCount);
  const perFold = Array.from({ length: args.folds }, (_, f) => {
    const inFold = (x: { e: Example }) => hashOf(x.e.group) % args.folds === f;
    const u = un.filter(inFold);
    const a = an.filter(inFold);
    return {
      declines: u.length ? u.filter((x) => x.d).length / u.length : null,
      wrong: a.length ? a.filter((x) => x.d).length / a.length : null,
    };
  });
  const spread = (xs: (number | null)[]) => {
    const ys = xs.filter((x): x is number => x !== null);
    const m = mean(ys);
    return [round(m, 3), round(Math.sqrt(mean(ys.map((x) => (x - m) ** 2))), 3)];
  };
  return {
    dev: {
      declines: `${k}/${un.length}`,
      declines_ci95: wilson(k, un.length),
      wrong_declines: `${w}/${an.length}`,
      wrong_declines_ci95: wilson(w, an.length),
    },
    synthetic_declines: `${syn.filter(Boolean).length}/${synCount}`,
    threshold_mean_sd: spread(cv.thresholds),
    declines_mean_sd: spread(perFold.map((f) => f.declines)),
    wrong_declines_mean_sd: spread(perFold.map((f) => f.wrong)),
  };
}

/**
 * The candidate models, each cross-validated the same way: the previous rule (a threshold on
 * answer coverage), the IDF-weighted coverage alone and with the shares of known words and
 * pairs, and all the features.
 */
function chooseFeatures(training: Example[], devCount: number, synCount: number) {
  const candidates: FeatureName[][] = [
    ['coverage'],
    ['rareCoverage'],
    ['typedCoverage'],
    ['typedCoverage', 'rareCoverage'],
    ['rareCoverage', 'knownPairs'],
    ['rareCoverage', 'known', 'knownPairs'],
    FEATURE_NAMES,
  ];
  if (!candidates.some((c) => c.join(',') === ABSTAIN_MODEL.features.join(',')))
    candidates.push(ABSTAIN_MODEL.features);
  const results = candidates.map((features) => ({ features, ...cvFigures(training, features, devCount, synCount) }));
  for (const r of results)
    console.error(
      `abstention cv ${r.features.join('+').padEnd(50)} ` +
        `dev declines ${r.dev.declines} (${r.dev.declines_ci95.join('–')}), ` +
        `wrong ${r.dev.wrong_declines} (${r.dev.wrong_declines_ci95.join('–')}), synthetic ${r.synthetic_declines}`,
    );
  return results;
}

const fmt = (x: number | null) => (x === null ? '  –  ' : x.toFixed(3));

interface Corpus {
  db: Db;
  embedder: Embedder;
  bm25: Bm25;
  byId: Map<number, { id: number; key: string; text: string }>;
}

async function loadCorpus(embedder: Embedder): Promise<Corpus> {
  const db = await connectPglite(null);
  await migrate(db);
  for (const f of fs.readdirSync(args.corpus).filter((f) => SUPPORTED_EXTENSIONS.includes(path.extname(f)))) {
    await ingestFile(db, embedder, f, fs.readFileSync(path.join(args.corpus, f)));
  }
  await refreshTermStats(db);
  const chunks = await db.query<{ id: number; key: string; text: string }>(
    `select c.id, d.doc_key || '#dieu-' || coalesce(c.article, 0) as key, c.text
       from kb_chunks c join kb_documents d on d.id = c.document_id
      where d.status = 'in_force'`,
  );
  return { db, embedder, bm25: new Bm25(chunks), byId: new Map(chunks.map((c) => [Number(c.id), c])) };
}

/** Asks every question the way the assistant does: spelling corrected, then retrieval and answer coverage. */
async function ask(corpus: Corpus, questions: Question[], overrides: Partial<RankingParams>): Promise<Ranked[]> {
  const params = { ...paramsFor(corpus.embedder), ...overrides };
  const runs: Ranked[] = [];
  for (const q of questions) {
    const asked = await correctSpelling(corpus.db, q.question);
    const hits = await retrieve(corpus.db, corpus.embedder, asked, {
      scopePath: 'all',
      limit: 10,
      params,
      explain: flags.explain,
    });
    const vocab = await vocabularyOf(corpus.db, asked);
    runs.push({
      asked,
      vocab,
      keys: hits.map((h) => `${h.docKey}#dieu-${h.article ?? 0}`),
      features: measureFeatures(asked, hits, vocab, params),
      hits,
    });
  }
  return runs;
}

/**
 * The baseline over the same chunks: plain BM25 on folded syllables. Its abstention reads the
 * same question against BM25's passages; the score features (top, gap) stay the hybrid's, as
 * BM25 scores are on another scale.
 */
function bm25Runs(
  corpus: Corpus,
  questions: Question[],
  hybrid: Ranked[],
  overrides: Partial<RankingParams>,
): Ranked[] {
  const params = { ...paramsFor(corpus.embedder), ...overrides };
  return questions.map((_q, i) => {
    const h = hybrid[i];
    const b = corpus.bm25.search(h.asked, 10).map((r) => corpus.byId.get(r.id)!);
    const f = measureFeatures(
      h.asked,
      b.map((c) => ({ text: c.text, score: 0 })),
      h.vocab,
      params,
    );
    return { ...h, keys: b.map((c) => c.key), features: { ...f, top: h.features.top, gap: h.features.gap }, hits: [] };
  });
}

const declinedBy = (model: AbstainModel) => (r: Ranked) => answerability(r.features, model) < model.threshold;

type Metrics = ReturnType<typeof score>;

function score(questions: Question[], runs: Ranked[], model: AbstainModel) {
  const answerable = questions.map((q, i) => ({ q, r: runs[i] })).filter((x) => x.q.relevant.length > 0);
  const unanswerable = questions.map((q, i) => ({ q, r: runs[i] })).filter((x) => x.q.relevant.length === 0);
  const declined = declinedBy(model);
  const abstains = (x: { r: Ranked }) => declined(x.r);
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

/** 95 % Wilson score interval of k successes in n. */
function wilson(k: number, n: number): [number, number] {
  if (!n) return [0, 1];
  const z = 1.96;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = ((z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n)) * 1;
  return [round(Math.max(0, centre - half), 3), round(Math.min(1, centre + half), 3)];
}

function withIntervals(questions: { relevant: string[] }[], runs: Ranked[], model: AbstainModel) {
  const declined = declinedBy(model);
  const un = runs.filter((_, i) => !questions[i].relevant.length);
  const an = runs.filter((_, i) => questions[i].relevant.length);
  const k = un.filter(declined).length;
  const wrong = an.filter(declined).length;
  return {
    declines: `${k}/${un.length}`,
    declines_ci95: wilson(k, un.length),
    wrong_declines: `${wrong}/${an.length}`,
    wrong_declines_ci95: wilson(wrong, an.length),
  };
}

/**
 * What a member sees for each question, as knowledge/answer.ts decides it: an answer (from the right
 * article first or another), the two or three most likely articles of the first five passages
 * offered as choices (the right one among them or not), or a plain "the documents do not say".
 */
function whatMembersSee(questions: Question[], runs: Ranked[], model: AbstainModel) {
  const answerable = { right: 0, other: 0, choices_with_right: 0, choices_without: 0, plain: 0 };
  const unanswerable = { plain: 0, choices: 0, answered: 0 };
  for (const [i, q] of questions.entries()) {
    const r = runs[i];
    const p = answerability(r.features, model);
    const articles = [...new Set(r.keys.slice(0, 5))].slice(0, MAX_CHOICES);
    const offered = p < model.threshold && p >= model.threshold * CHOICE_SHARE && articles.length >= 2;
    if (!q.relevant.length) {
      if (p >= model.threshold) unanswerable.answered++;
      else if (offered) unanswerable.choices++;
      else unanswerable.plain++;
    } else if (p >= model.threshold) {
      if (q.relevant.includes(r.keys[0])) answerable.right++;
      else answerable.other++;
    } else if (!offered) answerable.plain++;
    else if (articles.some((k) => q.relevant.includes(k))) answerable.choices_with_right++;
    else answerable.choices_without++;
  }
  return { answerable, unanswerable };
}

/**
 * Two-fold cross-validation of the ranking parameters: a small grid is searched on one half of
 * the held-out questions (by id) and scored on the other, and the other way round. What the
 * method gains on questions it was not tuned on is the honest figure.
 */
async function crossValidateParams(corpus: Corpus, sets: QuestionSet[]) {
  const all = sets.flatMap((s) => s.questions).filter((q) => q.relevant.length);
  const halves = [0, 1].map((h) => all.filter((q) => hashOf(q.id) % 2 === h));
  const grid: RankingParams[] = [];
  for (const headWeight of [1, 2, 3])
    for (const lexicalWeight of [0.5, 1, 1.5, 2, 3, 6, 10])
      for (const proximity of [0, 0.5]) grid.push({ ...DEFAULT_PARAMS, headWeight, lexicalWeight, proximity });
  const mrrOf = async (qs: Question[], p: Partial<RankingParams>) =>
    score(qs, await ask(corpus, qs, p), ABSTAIN_MODEL)['mrr@10'];
  const result = [];
  for (const [train, test] of [
    [halves[0], halves[1]],
    [halves[1], halves[0]],
  ]) {
    let best: { p: Partial<RankingParams>; mrr: number } = { p: paramsFor(corpus.embedder), mrr: -1 };
    for (const p of grid) {
      const m = await mrrOf(train, p);
      if (m > best.mrr) best = { p, mrr: m };
    }
    result.push({
      chosen: best.p,
      train_mrr: best.mrr,
      test_mrr: await mrrOf(test, best.p),
      test_mrr_defaults: await mrrOf(test, paramsFor(corpus.embedder)),
    });
    console.error(`cv: ${JSON.stringify(result.at(-1))}`);
  }
  return result;
}

/**
 * For each question the hybrid missed at rank 1: what ranked above the right article, from which arm, on which
 * terms.
 */
function explain(set: string, questions: Question[], runs: Ranked[], model: AbstainModel) {
  console.log(
    `\n${set}\nid    rank declined question → what ranked above the right article ` +
      '(arm ranks v=vector l=lexical; terms)',
  );
  // Why a question was declined or answered: p(answerable) and the features the model reads.
  const why = (r: Ranked) =>
    `p ${round(answerability(r.features, model), 2)}: ` +
    FEATURE_NAMES.map((f) => `${f} ${round(r.features[f], 2)}`).join(', ');
  for (const [i, q] of questions.entries()) {
    const r = runs[i];
    const declined = declinedBy(model)(r);
    if (!q.relevant.length) {
      if (!declined)
        console.log(`${q.id.padEnd(5)} –    answered «${q.question}» from ${r.keys[0] ?? '–'} (${why(r)})`);
      continue;
    }
    const rank = r.keys.findIndex((k) => q.relevant.includes(k));
    if (rank === 0 && !declined) continue;
    console.log(
      `${q.id.padEnd(5)} ${String(rank < 0 ? '>10' : rank + 1).padEnd(4)} ${declined ? `yes (${why(r)})` : 'no'} ` +
        `«${q.question}» wants ${q.relevant.join(', ')}`,
    );
    // What retrieval was given, when spelling correction changed the question.
    if (r.asked !== q.question) console.log(`        asked as «${r.asked}»`);
    for (const h of r.hits.slice(0, rank < 0 ? 3 : rank)) {
      const w = h.why;
      console.log(
        `        ${`${h.docKey}#dieu-${h.article ?? 0}`.padEnd(28)} ` +
          `v=${w?.vectorRank ?? '–'} l=${w?.lexicalRank ?? '–'} terms: ${w?.terms.join(', ') || '–'}`,
      );
    }
    if (rank > 0) {
      const w = r.hits[rank].why;
      console.log(
        `      ✓ ${r.keys[rank].padEnd(28)} ` +
          `v=${w?.vectorRank ?? '–'} l=${w?.lexicalRank ?? '–'} terms: ${w?.terms.join(', ') || '–'}`,
      );
    }
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

runBench(main);
