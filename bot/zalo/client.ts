/**
 * A small typed client for the Zalo Bot Platform API — there is no maintained SDK on npm.
 *
 * Wire format (Zalo Bot API, "bot-api.zaloplatforms.com"): POST JSON to
 * `<root>/bot<TOKEN>/<method>`; answers `{ ok: true, result }` or
 * `{ ok: false, error_code, description }`. getUpdates long-polls and returns one update
 * `{ event_name, message }`; a webhook POSTs the same update with the secret in
 * `X-Bot-Api-Secret-Token`. Text messages are limited to 2000 characters.
 *
 * The token is part of every URL, so neither the URL nor the token ever goes into an
 * error message or a log line.
 */
import { constantTimeEqual } from '../webhook-secret.ts';

export const ZALO_API_ROOT = 'https://bot-api.zaloplatforms.com';
export const ZALO_TEXT_LIMIT = 2000;

export type ZaloEventName =
  | 'message.text.received'
  | 'message.image.received'
  | 'message.sticker.received'
  | 'message.unsupported.received'
  | (string & {});

export interface ZaloUser {
  id: string;
  display_name?: string;
  is_bot?: boolean;
}

export interface ZaloMessage {
  message_id: string;
  date: number;
  from: ZaloUser;
  chat: { id: string; chat_type: 'PRIVATE' | 'GROUP' };
  text?: string;
  photo_url?: string;
  caption?: string;
  sticker?: string;
}

export interface ZaloUpdate {
  event_name: ZaloEventName;
  message: ZaloMessage;
}

export interface ZaloBotInfo {
  id: string;
  account_name?: string;
  display_name?: string;
  [k: string]: unknown;
}

export interface ZaloSentMessage {
  message_id: string;
  date?: number;
  [k: string]: unknown;
}

export interface ZaloWebhookInfo {
  url: string;
  updated_at?: number;
  [k: string]: unknown;
}

export class ZaloApiError extends Error {
  constructor(
    readonly method: string,
    readonly httpStatus: number,
    readonly errorCode: number | undefined,
    readonly description: string,
  ) {
    super(`Zalo ${method} failed (${httpStatus}${errorCode ? `/${errorCode}` : ''}): ${description}`);
    this.name = 'ZaloApiError';
  }
}

export interface ZaloClientOptions {
  token: string;
  apiRoot?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class ZaloClient {
  readonly #token: string;
  readonly #root: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: ZaloClientOptions) {
    this.#token = options.token;
    this.#root = (options.apiRoot ?? ZALO_API_ROOT).replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 35_000;
    this.#fetch = options.fetch ?? fetch;
  }

  getMe() {
    return this.call<ZaloBotInfo>('getMe', {});
  }

  /** Long polling: waits up to `timeout` seconds; null when nothing arrived. */
  async getUpdates(params: { timeout?: number } = {}): Promise<ZaloUpdate | null> {
    const timeout = params.timeout ?? 30;
    try {
      const result = await this.call<ZaloUpdate | ZaloUpdate[] | null>(
        'getUpdates',
        { timeout: String(timeout) },
        (timeout + 10) * 1000,
      );
      if (Array.isArray(result)) return result[0] ?? null;
      return result && 'event_name' in result ? result : null;
    } catch (e) {
      // The platform answers a poll that timed out with an error rather than an empty result.
      if (e instanceof ZaloApiError && (e.httpStatus === 408 || e.errorCode === 408)) return null;
      throw e;
    }
  }

  setWebhook(params: { url: string; secret_token: string }) {
    return this.call<ZaloWebhookInfo>('setWebhook', params);
  }

  deleteWebhook() {
    return this.call<ZaloWebhookInfo>('deleteWebhook', {});
  }

  getWebhookInfo() {
    return this.call<ZaloWebhookInfo>('getWebhookInfo', {});
  }

  sendMessage(params: { chat_id: string; text: string }) {
    if (params.text.length > ZALO_TEXT_LIMIT)
      throw new RangeError(`Zalo text is limited to ${ZALO_TEXT_LIMIT} characters`);
    return this.call<ZaloSentMessage>('sendMessage', params);
  }

  sendPhoto(params: { chat_id: string; photo: string; caption?: string }) {
    return this.call<ZaloSentMessage>('sendPhoto', params);
  }

  sendChatAction(params: { chat_id: string; action: 'typing' | 'upload_photo' }) {
    return this.call<boolean>('sendChatAction', params);
  }

  async call<T>(method: string, body: Record<string, unknown>, timeoutMs = this.#timeoutMs): Promise<T> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#root}/bot${this.#token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const reason = (e as Error).name === 'TimeoutError' ? 'timeout' : 'network error';
      throw new ZaloApiError(method, 0, undefined, reason);
    }
    const data = (await response.json().catch(() => undefined)) as
      | { ok: boolean; result?: T; error_code?: number; description?: string }
      | undefined;
    if (!response.ok || !data?.ok) {
      throw new ZaloApiError(
        method,
        response.status,
        data?.error_code,
        data?.description ?? response.statusText ?? 'error',
      );
    }
    return data.result as T;
  }
}

/** Compares the webhook secret header in constant time. */
export function verifyZaloSecret(headerValue: string | string[] | undefined, expected: string): boolean {
  return constantTimeEqual(typeof headerValue === 'string' ? headerValue : '', expected);
}
