export interface Embedder {
  /** e.g. "hash-v2-512" or "openai:text-embedding-3-small-512": chunks embedded by another model are re-embedded. */
  readonly model: string;
  readonly dimensions: number;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}
