/**
 * The hand-written Zalo client against the fake Zalo Bot API over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZaloApiError, ZaloClient, verifyZaloSecret } from '../../bot/zalo/client.ts';
import { FakeZalo } from '../fakes/zalo-api.ts';

const TOKEN = '1234567890:zalo-secret-token';
let fake: FakeZalo;
let client: ZaloClient;
beforeAll(async () => {
  fake = await new FakeZalo([TOKEN]).start();
  client = new ZaloClient({ token: TOKEN, apiRoot: fake.root });
});
afterAll(() => fake.close());

describe('ZaloClient', () => {
  it('calls getMe, webhooks and sendMessage in the wire format', async () => {
    expect((await client.getMe()).display_name).toBe('Sổ tay Đảng viên');
    await client.setWebhook({ url: 'https://example.org/webhooks/zalo/zalo', secret_token: 's3cret' });
    expect((await client.getWebhookInfo()).url).toBe('https://example.org/webhooks/zalo/zalo');
    await client.deleteWebhook();
    expect((await client.getWebhookInfo()).url).toBe('');
    const sent = await client.sendMessage({ chat_id: 'u1', text: 'Xin chào đồng chí' });
    expect(sent.message_id).toMatch(/^zsent-/);
    expect(fake.sentTo('u1').map((m) => m.text)).toEqual(['Xin chào đồng chí']);
    expect(await client.sendChatAction({ chat_id: 'u1', action: 'typing' })).toBe(true);
  });

  it('long-polls one update, and returns null when the poll times out', async () => {
    fake.pushUpdate(TOKEN, fake.textUpdate({ userId: 'u2', text: 'điểm danh' }));
    const u = await client.getUpdates({ timeout: 1 });
    expect(u?.event_name).toBe('message.text.received');
    expect(u?.message.text).toBe('điểm danh');
    expect(await client.getUpdates({ timeout: 1 })).toBeNull();
  });

  it('refuses text over 2000 characters before sending', () => {
    expect(() => client.sendMessage({ chat_id: 'u1', text: 'x'.repeat(2001) })).toThrow(RangeError);
  });

  it('reports API errors with method and code, never the token', async () => {
    fake.blockChat('blocked');
    const error = await client.sendMessage({ chat_id: 'blocked', text: 'x' }).catch((e) => e);
    expect(error).toBeInstanceOf(ZaloApiError);
    expect(error).toMatchObject({ method: 'sendMessage', httpStatus: 403 });
    const wrong = await new ZaloClient({ token: 'wrong-token-value', apiRoot: fake.root }).getMe().catch((e) => e);
    expect(wrong.httpStatus).toBe(401);
    expect(String(wrong.message) + String(wrong.stack)).not.toContain('wrong-token-value');
    const down = await new ZaloClient({ token: TOKEN, apiRoot: 'http://127.0.0.1:9' }).getMe().catch((e) => e);
    expect(down.message).toContain('network error');
    expect(down.message).not.toContain(TOKEN);
  });

  it('checks the webhook secret', () => {
    expect(verifyZaloSecret('abc', 'abc')).toBe(true);
    expect(verifyZaloSecret('abd', 'abc')).toBe(false);
    expect(verifyZaloSecret(undefined, 'abc')).toBe(false);
    expect(verifyZaloSecret('abcd', 'abc')).toBe(false);
  });
});
