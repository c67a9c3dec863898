/**
 * The channel registry: the one list of chat channels. Everything else — the bot
 * configuration, the webhook routes, the send limits, the database's list of channels
 * (chat_channels, written at start) — is derived from it. Adding a channel is its own
 * folder plus one line here (CONTRIBUTING.md, "Adding a channel").
 */
import type { ChannelModule } from './channel.ts';
import { telegramModule } from './telegram/adapter.ts';
import { webModule } from './web/sender.ts';
import { zaloModule } from './zalo/adapter.ts';

export const CHANNELS: readonly ChannelModule[] = [telegramModule, zaloModule, webModule];
