/**
 * A fake OpenAI-compatible server on 127.0.0.1 in the real JSON formats
 * (`POST /v1/embeddings`, `POST /v1/chat/completions`), for the real @langchain/openai
 * clients. Embeddings are deterministic; the "model" answers by quoting the first
 * passage it was given, citing [1]. Every request is recorded.
 */
import type http from 'node:http';
import { startFakeServer, type Params } from './http.ts';
import { HashingEmbedder } from '../../knowledge/embed/hashing-embedder.ts';

export class FakeOpenAI {
  root = '';
  requests: { path: string; body: Params }[] = [];
  /** What the "model" answers instead, given the user message (a test of a model that misbehaves). */
  chatReply: ((user: string) => string) | null = null;
  #server?: http.Server;

  async start(): Promise<this> {
    const { server, root } = await startFakeServer(async (path, body) => this.handle(path, body));
    this.#server = server;
    this.root = `${root}/v1`;
    return this;
  }

  async close() {
    await new Promise((r) => this.#server?.close(r));
  }

  private async handle(path: string, body: Params) {
    this.requests.push({ path, body });
    if (path === '/v1/embeddings') {
      const inputs = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
      const embedder = new HashingEmbedder(Number(body.dimensions ?? 256));
      return {
        status: 200,
        body: {
          object: 'list',
          model: body.model,
          usage: { prompt_tokens: 1, total_tokens: 1 },
          // The OpenAI SDK asks for base64 (little-endian float32) unless told otherwise.
          data: inputs.map((t, index) => {
            const v = embedder.vector(String(t));
            return {
              object: 'embedding',
              index,
              embedding:
                body.encoding_format === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
            };
          }),
        },
      };
    }
    if (path === '/v1/chat/completions') {
      const messages = body.messages as { role: string; content: string }[];
      const user = messages.find((m) => m.role === 'user')?.content ?? '';
      const firstPassage = /<tai_lieu so="1"[^>]*>\n([^\n]*)\n([^\n]*)/.exec(user);
      const content = this.chatReply
        ? this.chatReply(user)
        : firstPassage
          ? `Theo tài liệu, ${firstPassage[2] || firstPassage[1]} [1]`
          : 'Tài liệu không đề cập.';
      return {
        status: 200,
        body: {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        },
      };
    }
    return { status: 404, body: { error: { message: 'not found', type: 'invalid_request_error' } } };
  }
}
