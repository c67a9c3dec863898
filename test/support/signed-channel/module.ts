/**
 * A channel that exists only in the tests, written as CONTRIBUTING.md's "Adding a channel"
 * says: one folder, one module. Like Facebook Messenger it signs the webhook body
 * (`X-Hub-Signature-256: sha256=<HMAC of the raw body>`) instead of sending a secret
 * header, and it has no buttons (choices are numbered). Its "platform" is in memory: what
 * the bot sends lands in `sent`.
 */
import crypto from 'node:crypto';
import type { BotChannel, ChannelModule } from '../../../bot/channel.ts';
import type { ChatUpdate } from '../../../bot/core/update.ts';
import { SendError } from '../../../api/outbox/sender.ts';

export interface SignedEvent {
  mid: string;
  sender: string;
  text: string;
}

export const signedSent: { botKey: string; chatId: string; text: string }[] = [];

export const sign = (secret: string, body: string) =>
  `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

export const signedModule: ChannelModule = {
  name: 'signed',
  envPrefix: 'SIGNED',
  limits: { perSecond: 50, paidPerSecond: 50, privateChatGapMs: 0, groupChatGapMs: 0 },
  replies: 'push',
  numberedChoices: true,
  identify(body) {
    const e = body as SignedEvent | null;
    return typeof e?.mid === 'string' && typeof e.sender === 'string' ? { updateId: e.mid, chatId: e.sender } : null;
  },
  verifyWebhook({ headers, rawBody }, secret) {
    const given = Buffer.from(String(headers['x-hub-signature-256'] ?? ''));
    const expected = Buffer.from(sign(secret, rawBody.toString('utf8')));
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  },
  createBot: (config, scope) => {
    const bot: BotChannel = {
      channel: 'signed',
      botKey: config.key,
      scope,
      parse(payload, receivedAt): ChatUpdate {
        const e = payload as SignedEvent;
        return {
          channel: 'signed',
          botKey: config.key,
          updateId: e.mid,
          from: { id: e.sender },
          chat: { id: e.sender, kind: 'private' },
          text: e.text,
          receivedAt,
        };
      },
      async send(target, payload) {
        if (!payload.text) throw new SendError('permanent', 'empty message');
        const options = payload.choices?.map((c, i) => `${i + 1}. ${c.label}`).join('\n');
        signedSent.push({ botKey: target.botKey, chatId: target.chatId, text: [payload.text, options].join('\n') });
        return { providerMessageId: String(signedSent.length) };
      },
      async start() {},
      async stop() {},
    };
    return bot;
  },
};
