/**
 * Small per-chat state, so a dialogue (pending numbered choices, a guided form's step, the
 * assistant's previous question) survives restarts and works on every instance. Stored by
 * api/chat-sessions; the core never writes SQL.
 */
import type { Sql } from '../../api/db/connect.ts';
import { getChatSessionValue, setChatSessionValue, type ChatRef } from '../../api/chat-sessions/repository.ts';
import { choiceData, type Choice } from './reply.ts';
import type { ActionChoice } from '../../api/chat-actions/chat-action.ts';

export type { ChatRef };

export function chatSession(sql: Sql, chat: ChatRef) {
  return {
    get: <T = unknown>(key: string): Promise<T | undefined> => getChatSessionValue<T>(sql, chat, key),
    set: (key: string, value: unknown | null): Promise<void> => setChatSessionValue(sql, chat, key, value),
  };
}

const CHOICES_KEY = 'choices';

/**
 * Remembers the last choices shown in a chat, so a reply of "1", "2"… picks one (Zalo has
 * no buttons; members on any channel may type the number).
 */
export async function rememberChoices(sql: Sql, chat: ChatRef, choices: (Choice | ActionChoice)[]): Promise<void> {
  await chatSession(sql, chat).set(CHOICES_KEY, choices.map(choiceData));
}

/** The choice data for a typed number, if the chat has pending choices. */
export async function choiceForNumber(
  session: ReturnType<typeof chatSession>,
  text: string,
): Promise<string | undefined> {
  const m = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
  if (!m) return undefined;
  const pending = await session.get<string[]>(CHOICES_KEY);
  return pending?.[Number(m[1]) - 1];
}
