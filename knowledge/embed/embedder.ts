export interface Embedder {
  /** e.g. "hash-v2-512" or "openai:text-embedding-3-small-512": chunks embedded by another model are re-embedded. */
  readonly model: string;
  readonly dimensions: number;
  /**
   * The weight of the lexical arm against this embedder's nearest chunks in retrieval's fusion
   * (retrieve.ts; the vector arm weighs 1), when it is not the default (DEFAULT_PARAMS).
   */
  readonly lexicalWeight?: number;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}
