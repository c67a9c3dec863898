/**
 * The channel-neutral update the conversation core takes. Adapters (Telegram, Zalo, web)
 * build it from their platform's update; the core never sees a platform type.
 */
import type { Channel } from '../../api/chat-accounts/repository.ts';
import type { EncryptedBallot } from '../../api/meetings/ballot-crypto.ts';

export interface ChatUpdate {
  channel: Channel;
  /** Which configured bot received it (one bot per province). */
  botKey: string;
  /** Unique per channel and bot; used to process each update once. */
  updateId: string;
  from: { id: string; displayName?: string };
  chat: { id: string; kind: 'private' | 'group'; title?: string };
  /** Typed text (commands included), if any. */
  text?: string;
  /** A button press: the `data` of a choice sent earlier (Zalo: resolved from "1", "2", …). */
  choice?: string;
  /**
   * A secret ballot encrypted on the member's own device (the web chat): ciphertexts and proofs,
   * never the choice, which this service does not learn.
   */
  sealedBallot?: { motionId: number; ballot: EncryptedBallot };
  photo?: { fileId: string; url?: string };
  /**
   * The chat has no buttons: choices are numbered and answered with a digit (Zalo). Set by the
   * inbox from the channel module's `numberedChoices`; menus are kept short there.
   */
  numberedChoices?: boolean;
  /** The chat cannot send a photo (the web chat): no step offers one. Set by the adapter. */
  noPhotos?: boolean;
  receivedAt: Date;
}
