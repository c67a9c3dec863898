import type { Sql } from '../db/connect.ts';
import type { Principal } from '../auth/principal.ts';
import { hasRole, requireRole, type Role } from '../auth/roles.ts';
import { AppError, notFound } from '../errors.ts';
import { findMeeting, findMeetingWithEntry, type Meeting, type RollRow } from './repository.ts';
import { findMotion, type Motion } from './motions.ts';
import { CAN } from '../auth/roles.ts';
import type { MeetingStatus } from './vocabulary.ts';

export interface MeetingGuard {
  /** Roles one of which the actor must hold on the meeting's cell (or above). */
  role?: readonly Role[];
  /** The statuses the action is allowed in. */
  status?: readonly MeetingStatus[];
  /** Replaces the default message when the status is not allowed (one for all, or per status). */
  statusMessage?: string | Partial<Record<MeetingStatus, string>>;
  /** Locks the meeting row until the transaction ends. */
  lock?: boolean;
  /** Also reads this member's roll entry, in the same round trip (null: not on the roll). */
  member?: number;
}

const STATUS_MESSAGES: Record<MeetingStatus, string> = {
  scheduled: 'Buổi họp chưa bắt đầu.',
  in_progress: 'Buổi họp đã bắt đầu.',
  closed: 'Buổi họp đã kết thúc.',
};

/**
 * The one prologue of every meeting use case: find the meeting (404), check the actor's role
 * on its cell (403), check its status (409, in the order a user would want to hear it).
 */
export async function requireMeeting(
  sql: Sql,
  actor: Principal | null | undefined,
  meetingId: number,
  guard: MeetingGuard = {},
): Promise<Meeting & { entry?: RollRow | null }> {
  const meeting =
    guard.member !== undefined && !guard.lock
      ? await findMeetingWithEntry(sql, meetingId, guard.member)
      : await findMeeting(sql, meetingId, guard.lock ?? false);
  if (!meeting) throw notFound('buổi họp');
  if (guard.role) await requireRole(sql, actor, meeting.cellId, guard.role);
  assertMeetingStatus(meeting, guard);
  return meeting;
}

/** The meeting's status is one the action is allowed in (409 with the right message). */
export function assertMeetingStatus(
  meeting: Pick<Meeting, 'status'>,
  guard: Pick<MeetingGuard, 'status' | 'statusMessage'>,
) {
  if (guard.status && !guard.status.includes(meeting.status)) {
    const custom = guard.statusMessage;
    const message = typeof custom === 'string' ? custom : custom?.[meeting.status];
    throw new AppError('conflict', message ?? STATUS_MESSAGES[meeting.status]);
  }
}

/**
 * The prologue of the secretary's acts on a vote in progress (room counts, paper ballots,
 * closing): the motion, locked until the transaction ends (404), the secretary's role on its
 * meeting's cell (403), and the motion still open (409).
 */
export async function requireOpenMotion(
  sql: Sql,
  actor: Principal,
  motionId: number,
  /** Refusal for a member of the meeting's counting committee, who may act too; undefined: the secretary only. */
  counters?: string,
): Promise<{ motion: Motion; meeting: Meeting }> {
  const motion = await findMotion(sql, motionId, true);
  if (!motion) throw notFound('nội dung biểu quyết');
  const meeting = await requireMeeting(sql, actor, motion.meetingId);
  if (counters === undefined) await requireRole(sql, actor, meeting.cellId, CAN.runMeetings);
  else if (
    !(await isCounter(sql, meeting.id, actor.memberId)) &&
    !(await hasRole(sql, actor.id, meeting.cellId, CAN.runMeetings))
  )
    throw new AppError('forbidden', counters);
  if (motion.status !== 'open') throw new AppError('conflict', 'Biểu quyết này đã kết thúc.');
  return { motion, meeting };
}

/** Whether a member is on the counting committee the secretary named for the meeting. */
export async function isCounter(sql: Sql, meetingId: number, memberId: number | null): Promise<boolean> {
  if (!memberId) return false;
  const rows = await sql.query(`select 1 from meeting_counters where meeting_id = $1 and member_id = $2`, [
    meetingId,
    memberId,
  ]);
  return rows.length > 0;
}
