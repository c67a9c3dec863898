import type { Embedder } from './embedder.ts';
import { HashingEmbedder } from './hashing-embedder.ts';
import { OpenAIEmbedder } from './openai-embedder.ts';

/** OPENAI_API_KEY set → the remote model (OPENAI_BASE_URL, EMBEDDING_MODEL, EMBEDDING_DIM); else offline hashing. */
export function chooseEmbedder(env: NodeJS.ProcessEnv = process.env): Embedder {
  const dimensions = Number(env.EMBEDDING_DIM ?? (env.OPENAI_API_KEY ? 1536 : 512));
  if (env.OPENAI_API_KEY) {
    return new OpenAIEmbedder({
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      model: env.EMBEDDING_MODEL,
      dimensions,
    });
  }
  return new HashingEmbedder(dimensions);
}
