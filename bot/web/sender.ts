/**
 * The web chat as a channel. It has no push: a message to a web chat stays in the outbox
 * and the page reads it through /chat/api/inbox, so sending is only a confirmation; replies
 * are returned in the response to the message that caused them (`replies: 'inline'`).
 */
import type { BotChannel, ChannelModule } from '../channel.ts';
import type { BotScope } from '../core/command.ts';
import type { ChatUpdate } from '../core/update.ts';
import type { EncryptedBallot } from '../../api/meetings/ballot-crypto.ts';

export const WEB_BOT_KEY = 'web';

/** What the web chat stores in the inbox for one message (dropped once processed). */
export interface WebPayload {
  webId: string;
  id: string;
  text?: string;
  choice?: string;
  /** A secret ballot encrypted in the browser: ciphertexts and proofs only, never the choice. */
  ballot?: { motionId: number; sealed: EncryptedBallot };
}

export const webModule: ChannelModule = {
  name: 'web',
  limits: { perSecond: 10_000, paidPerSecond: 10_000, privateChatGapMs: 0, groupChatGapMs: 0 },
  replies: 'inline',
  numberedChoices: false,
  identify(body) {
    const p = body as WebPayload | null;
    return p?.webId && p.id ? { updateId: `${p.webId}:${p.id}`, chatId: p.webId } : null;
  },
  // The web chat has no webhook: its messages come through its own signed-in routes.
  verifyWebhook: () => false,
  createBot: (config, scope) => new WebBot(config.key, scope),
};

export class WebBot implements BotChannel {
  readonly channel = 'web';
  constructor(
    readonly botKey: string,
    readonly scope: BotScope,
  ) {}

  parse(payload: unknown, receivedAt: Date): ChatUpdate | null {
    const p = payload as WebPayload;
    return {
      channel: this.channel,
      botKey: this.botKey,
      updateId: p.id,
      from: { id: p.webId },
      chat: { id: p.webId, kind: 'private' },
      text: p.text,
      choice: p.choice,
      sealedBallot: p.ballot ? { motionId: p.ballot.motionId, ballot: p.ballot.sealed } : undefined,
      // The page has no way to attach a photo.
      noPhotos: true,
      receivedAt,
    };
  }

  async send() {
    return { providerMessageId: 'web-inbox' };
  }

  async start() {}
  async stop() {}
}
