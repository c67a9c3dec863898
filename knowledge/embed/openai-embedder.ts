/**
 * Embeddings from any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp) through
 * LangChain's OpenAIEmbeddings; OPENAI_BASE_URL points it at the organisation's own server.
 */
import { OpenAIEmbeddings } from '@langchain/openai';
import type { Embedder } from './embedder.ts';

export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  readonly #client: OpenAIEmbeddings;

  constructor(options: { apiKey: string; baseURL?: string; model?: string; dimensions: number }) {
    const model = options.model ?? 'text-embedding-3-small';
    this.dimensions = options.dimensions;
    this.model = `openai:${model}-${options.dimensions}`;
    this.#client = new OpenAIEmbeddings({
      apiKey: options.apiKey,
      model,
      dimensions: options.dimensions,
      configuration: options.baseURL ? { baseURL: options.baseURL } : undefined,
      maxRetries: 2,
    });
  }

  readonly dimensions: number;

  embedDocuments(texts: string[]) {
    return this.#client.embedDocuments(texts);
  }

  embedQuery(text: string) {
    return this.#client.embedQuery(text);
  }
}
