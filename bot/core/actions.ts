/**
 * The one codec for button data. Every button, numbered Zalo option and web-chat button
 * carries a typed action; `encodeAction` writes it in at most 64 bytes (Telegram's callback
 * limit) and `decodeAction` reads it back, checking every field. Nothing else in the code
 * builds or splits button data.
 *
 * Wire format: a short tag and fields separated by ":" ("v:12:for" is a vote for motion 12).
 * Buttons sent before this codec existed ("bieuquyet:12:for", "dadoc:7", …) still decode.
 */
import type { DomainAction } from '../../api/chat-actions/chat-action.ts';
import { DECISION_KINDS, type DecisionKind } from '../../api/rules/meeting-rules.ts';

export const MENU_ITEMS = [
  'meeting',
  'checkin',
  'vote',
  'notices',
  'ask',
  'feedback',
  'tasks',
  'more',
  'help',
  'open-meeting',
  'attendance',
  'open-motion',
  'show-of-hands',
  'close-motion',
  'close-meeting',
  'paper-count',
  'hide-keyboard',
  // "Xem thêm": the other things a member does now and then.
  'rate',
  'my-feedback',
  'console',
] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];

/** Actions the conversation core offers itself: menus, paging and the steps of a dialogue. */
export type CoreAction =
  | { kind: 'menu'; item: MenuItem }
  | { kind: 'notice-open'; noticeId: number }
  | { kind: 'notices-page'; page: number }
  | { kind: 'rate-meeting'; meetingId: number; level: string }
  | { kind: 'rate-answer'; questionId: number; rating: 1 | -1 }
  /** One of the articles the assistant offered for a question it was not sure of. */
  | { kind: 'assistant-choice'; questionId: number; chunkId: number }
  | { kind: 'motion-kind'; decision: DecisionKind }
  | { kind: 'ballot'; ballot: 'open' | 'secret' }
  | { kind: 'skip-photo' }
  /** The secretary confirms (or not) the meeting she typed: "lên lịch họp 5/12 19:00". */
  | { kind: 'schedule-meeting'; confirm: boolean }
  /** One of the options the current step of a dialogue listed (0-based). */
  | { kind: 'pick'; index: number }
  /** The secretary confirms closing a vote, or the meeting, that the domain asked her to confirm. */
  | { kind: 'close-motion'; motionId: number }
  | { kind: 'close-meeting'; meetingId: number }
  /** The secretary confirms opening a meeting well before its scheduled time. */
  | { kind: 'open-meeting'; meetingId: number }
  /** Nobody in the room voted on paper in this secret ballot. */
  | { kind: 'paper-none'; motionId: number }
  | { kind: 'cancel' };

export type ChatAction = DomainAction | CoreAction;

export const MAX_ACTION_BYTES = 64;

export function encodeAction(a: ChatAction): string {
  const data = fields(a).join(':');
  if (Buffer.byteLength(data) > MAX_ACTION_BYTES)
    throw new RangeError(`action over ${MAX_ACTION_BYTES} bytes: ${a.kind}`);
  return data;
}

function fields(a: ChatAction): (string | number)[] {
  switch (a.kind) {
    case 'vote':
      return ['v', a.motionId, a.choice];
    case 'attend':
      return ['a', a.meetingId, a.attending ? 'y' : 'n'];
    case 'task-done':
      return ['t', a.taskId];
    case 'notice-read':
      return ['r', a.noticeId];
    case 'vote-on-paper':
      return ['vp', a.meetingId];
    case 'notice-open':
      return ['n', a.noticeId];
    case 'notices-page':
      return ['p', a.page];
    case 'rate-meeting':
      return ['q', a.meetingId, a.level];
    case 'rate-answer':
      // The assistant's 👍/👎 buttons (bot/core/commands/ask.ts) are written in this same format.
      return ['hoi', a.questionId, a.rating];
    case 'assistant-choice':
      return ['hc', a.questionId, a.chunkId];
    case 'menu':
      return ['m', a.item];
    case 'motion-kind':
      return ['k', a.decision];
    case 'ballot':
      return ['b', a.ballot];
    case 'skip-photo':
      return ['s'];
    case 'schedule-meeting':
      return ['lenlichhop', a.confirm ? 'ok' : 'cancel'];
    case 'pick':
      return ['o', a.index];
    case 'close-motion':
      return ['cm', a.motionId];
    case 'close-meeting':
      return ['ch', a.meetingId];
    case 'open-meeting':
      return ['oh', a.meetingId];
    case 'paper-none':
      return ['pn', a.motionId];
    case 'cancel':
      return ['x'];
    default:
      throw new RangeError(`unknown action kind: ${(a as { kind: string }).kind}`);
  }
}

/** The action in button data, or undefined when the data is not one (stale, forged, garbled). */
export function decodeAction(data: string): ChatAction | undefined {
  if (Buffer.byteLength(data) > MAX_ACTION_BYTES) return undefined;
  const [tag, ...f] = data.split(':');
  const n = (i: number) => (/^[1-9]\d{0,9}$/.test(f[i] ?? '') ? Number(f[i]) : undefined);
  const arity = (k: number) => f.length === k;
  const withId = <T>(i: number, make: (id: number) => T) => {
    const id = n(i);
    return id === undefined ? undefined : make(id);
  };
  switch (tag) {
    case 'v':
    case 'bieuquyet':
      return arity(2) && isVoteChoice(f[1])
        ? withId(0, (motionId) => ({ kind: 'vote', motionId, choice: f[1] }))
        : undefined;
    case 'a':
      return arity(2) && (f[1] === 'y' || f[1] === 'n')
        ? withId(0, (meetingId) => ({ kind: 'attend', meetingId, attending: f[1] === 'y' }))
        : undefined;
    case 'lichhop':
      return arity(2) && (f[1] === 'yes' || f[1] === 'no')
        ? withId(0, (meetingId) => ({ kind: 'attend', meetingId, attending: f[1] === 'yes' }))
        : undefined;
    case 't':
      return arity(1) ? withId(0, (taskId) => ({ kind: 'task-done', taskId })) : undefined;
    case 'nhiemvu':
      return arity(1) || (arity(2) && f[1] === 'done')
        ? withId(0, (taskId) => ({ kind: 'task-done', taskId }))
        : undefined;
    case 'vp':
      return arity(1) ? withId(0, (meetingId) => ({ kind: 'vote-on-paper', meetingId })) : undefined;
    case 'r':
    case 'dadoc':
      return arity(1) ? withId(0, (noticeId) => ({ kind: 'notice-read', noticeId })) : undefined;
    case 'n':
    case 'thongbao':
      return arity(1) ? withId(0, (noticeId) => ({ kind: 'notice-open', noticeId })) : undefined;
    case 'p':
      return arity(1) ? withId(0, (page) => ({ kind: 'notices-page', page })) : undefined;
    case 'q':
    case 'danhgia':
      return arity(2) && /^[a-z_]{1,20}$/.test(f[1])
        ? withId(0, (meetingId) => ({ kind: 'rate-meeting', meetingId, level: f[1] }))
        : undefined;
    case 'hoi':
      return arity(2) && (f[1] === '1' || f[1] === '-1')
        ? withId(0, (questionId) => ({ kind: 'rate-answer', questionId, rating: f[1] === '1' ? 1 : -1 }))
        : undefined;
    case 'hc': {
      const [questionId, chunkId] = [n(0), n(1)];
      return arity(2) && questionId && chunkId ? { kind: 'assistant-choice', questionId, chunkId } : undefined;
    }
    case 'm':
      return arity(1) && (MENU_ITEMS as readonly string[]).includes(f[0])
        ? { kind: 'menu', item: f[0] as MenuItem }
        : undefined;
    case 'k':
      return arity(1) && (DECISION_KINDS as readonly string[]).includes(f[0])
        ? { kind: 'motion-kind', decision: f[0] as DecisionKind }
        : undefined;
    case 'b':
      return arity(1) && (f[0] === 'open' || f[0] === 'secret') ? { kind: 'ballot', ballot: f[0] } : undefined;
    case 's':
      return arity(0) ? { kind: 'skip-photo' } : undefined;
    case 'o':
      return arity(1) && /^\d$/.test(f[0]) ? { kind: 'pick', index: Number(f[0]) } : undefined;
    case 'x':
      return arity(0) ? { kind: 'cancel' } : undefined;
    case 'cm':
      return arity(1) ? withId(0, (motionId) => ({ kind: 'close-motion', motionId })) : undefined;
    case 'ch':
      return arity(1) ? withId(0, (meetingId) => ({ kind: 'close-meeting', meetingId })) : undefined;
    case 'pn':
      return arity(1) ? withId(0, (motionId) => ({ kind: 'paper-none', motionId })) : undefined;
    case 'oh':
      return arity(1) ? withId(0, (meetingId) => ({ kind: 'open-meeting', meetingId })) : undefined;
    case 'lenlichhop':
      return arity(1) && (f[0] === 'ok' || f[0] === 'cancel')
        ? { kind: 'schedule-meeting', confirm: f[0] === 'ok' }
        : undefined;
    default:
      return undefined;
  }
}

const isVoteChoice = (s: string | undefined): s is string => /^[a-z_]{2,20}$/.test(s ?? '');
