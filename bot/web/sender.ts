import type { ChannelSender } from '../../api/outbox/sender.ts';

/**
 * The web chat has no push: its outbox rows stay in the table and the page reads them
 * through /chat/api/inbox. Sending is therefore only a confirmation.
 */
export class WebSender implements ChannelSender {
  readonly channel = 'web' as const;
  async send() {
    return { providerMessageId: 'web-inbox' };
  }
}
