/**
 * The offline embedder: deterministic, no network, no downloaded weights. Features are
 * syllables with diacritics, the same folded (so "dang phi" meets "đảng phí"), and folded
 * syllable bigrams (Vietnamese words are mostly two syllables: "đảng viên", "dự bị"),
 * hashed with signs into a fixed number of dimensions, weighted 1 + log(tf), L2-normalised.
 */
import type { Embedder } from './embedder.ts';
import { foldedSyllables, STOPWORDS, syllables } from '../text.ts';

export class HashingEmbedder implements Embedder {
  readonly model: string;
  /**
   * Its vectors hash the same syllables and pairs the lexical arm matches, so its nearest
   * chunks are weaker lexical evidence, not another kind: in the fusion it breaks ties. Chosen
   * by leave-one-question-set-out on the four evaluation sets (docs/benchmarks.md, issue 29).
   */
  readonly lexicalWeight = 6;
  constructor(readonly dimensions = 512) {
    this.model = `hash-v2-${dimensions}`;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.vector(t));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.vector(text);
  }

  vector(text: string): number[] {
    // feature → occurrences and weight (function words and pairs of them weigh little)
    const features = new Map<string, { n: number; w: number }>();
    const add = (feature: string, w: number) => {
      const f = features.get(feature);
      if (f) f.n++;
      else features.set(feature, { n: 1, w });
    };
    const raw = syllables(text);
    // Folding the whole text once keeps this fast; tokenisation is the same with or without diacritics.
    const fold = foldedSyllables(text);
    raw.forEach((s, i) => {
      const weight = STOPWORDS.has(fold[i]) ? 0.15 : 1;
      add(`u:${s}`, weight);
      add(`f:${fold[i]}`, weight);
      if (i > 0) add(`b:${fold[i - 1]}_${fold[i]}`, STOPWORDS.has(fold[i - 1]) && STOPWORDS.has(fold[i]) ? 0.15 : 1.5);
    });
    const v = new Array<number>(this.dimensions).fill(0);
    for (const [feature, { n, w }] of features) {
      const h = fnv1a(feature);
      v[h % this.dimensions] += (h & 0x80000000 ? -1 : 1) * (1 + Math.log(n)) * w;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  }
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
