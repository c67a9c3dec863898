/**
 * The assistant's models, chosen once from the environment: with OPENAI_API_KEY, embeddings
 * and a chat model from any OpenAI-compatible server (OPENAI_BASE_URL); without it, the
 * offline embedder and extractive answers.
 */
import { ChatOpenAI } from '@langchain/openai';
import { chooseEmbedder } from './embed/choose-embedder.ts';
import type { Embedder } from './embed/embedder.ts';

export interface Assistant {
  embedder: Embedder;
  chat: ChatOpenAI | null;
  mode: 'offline' | 'model';
}

let current: Assistant | undefined;

export function createAssistant(env: NodeJS.ProcessEnv = process.env): Assistant {
  const embedder = chooseEmbedder(env);
  const chat = env.OPENAI_API_KEY
    ? new ChatOpenAI({
        apiKey: env.OPENAI_API_KEY,
        model: env.CHAT_MODEL ?? 'gpt-4o-mini',
        temperature: 0,
        maxRetries: 1,
        configuration: env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : undefined,
      })
    : null;
  return { embedder, chat, mode: chat ? 'model' : 'offline' };
}

/** The process-wide assistant (created on first use). */
export function assistant(): Assistant {
  current ??= createAssistant();
  return current;
}
