/**
 * Plain BM25 (k1 = 1.2, b = 0.75) over folded syllables, in memory: the baseline the eval
 * compares hybrid retrieval with, over the very same chunks.
 */
import { foldedSyllables } from './text.ts';

export class Bm25 {
  #docs: { id: number; tf: Map<string, number>; len: number }[] = [];
  #df = new Map<string, number>();
  #avg = 0;

  constructor(
    docs: { id: number; text: string }[],
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {
    for (const d of docs) {
      const tokens = foldedSyllables(d.text);
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const t of tf.keys()) this.#df.set(t, (this.#df.get(t) ?? 0) + 1);
      this.#docs.push({ id: d.id, tf, len: tokens.length });
    }
    this.#avg = this.#docs.reduce((n, d) => n + d.len, 0) / Math.max(1, this.#docs.length);
  }

  search(query: string, limit = 10): { id: number; score: number }[] {
    const terms = [...new Set(foldedSyllables(query))];
    const n = this.#docs.length;
    return this.#docs
      .map((d) => {
        let score = 0;
        for (const t of terms) {
          const f = d.tf.get(t);
          if (!f) continue;
          const df = this.#df.get(t)!;
          const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
          score += (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * d.len) / this.#avg));
        }
        return { id: d.id, score };
      })
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }
}
