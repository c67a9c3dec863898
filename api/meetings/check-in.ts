import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, notFound } from '../errors.ts';
import type { Sql } from '../db/connect.ts';
import { throttle } from '../throttle/throttle.ts';
import { loadRollEntry, type Meeting, type RollRow, recordCheckIn } from './repository.ts';
import { assertMeetingStatus, requireMeeting } from './require-meeting.ts';
import { meetingDate } from './meeting-date.ts';

export type CheckInMethod = 'chat' | 'code' | 'secretary';

/**
 * One attendance list for the room and online: a member checks in from chat (online or
 * hybrid meetings), with the room code (in the room), or the secretary marks them present.
 * Checking in twice keeps the first time.
 */
export async function checkIn(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; memberId: number; method: CheckInMethod; code?: string },
): Promise<{ meeting: Meeting; alreadyPresent: boolean }> {
  const sql = deps.db;
  if (input.method !== 'secretary' && actor.memberId !== input.memberId)
    throw new AppError('forbidden', 'Mỗi đồng chí tự điểm danh cho mình.');
  if (input.method !== 'chat') {
    // The room code and the secretary's mark: the role and the code are checked first.
    const meeting = await requireMeeting(sql, actor, input.meetingId, {
      role: input.method === 'secretary' ? CAN.runMeetings : undefined,
      member: input.memberId,
    });
    assertMayCheckIn(meeting, input.method);
    if (input.method === 'code') {
      // Room codes are short: wrong guesses are throttled per member and meeting.
      const guard = throttle(sql, 'checkInCode');
      const key = `${meeting.id}:${input.memberId}`;
      await guard.attempt(key);
      if (input.code?.trim() !== meeting.checkinCode)
        throw new AppError('validation', 'Mã điểm danh không đúng.', { field: 'code' });
      await guard.succeeded(key);
    }
  }
  // Read, check and write in one statement (from chat, the only round trip); a refusal is
  // explained from what it read.
  const r = await recordCheckIn(sql, { ...input, at: deps.clock.now(), principalId: actor.id });
  if (!r) throw notFound('buổi họp');
  if (!r.allowed) {
    assertMayCheckIn(r.meeting, input.method);
    throw new Error(`meeting ${r.meeting.id}: the check-in was refused in SQL but allowed by assertMayCheckIn`);
  }
  return { meeting: r.meeting, alreadyPresent: !r.took };
}

/**
 * Whether a member may check in now (throws why not): the meeting is in progress, the member
 * is on its roll, and an in-person meeting takes check-ins by the room code only. The write
 * checks the same in SQL (repository.ts `recordCheckIn`).
 */
function assertMayCheckIn(meeting: Meeting & { entry?: RollRow | null }, method: CheckInMethod) {
  assertMeetingStatus(meeting, {
    status: ['in_progress'],
    statusMessage: { scheduled: 'Buổi họp chưa bắt đầu, chưa điểm danh được.' },
  });
  if (!meeting.entry) throw notOnRoll();
  if (method === 'chat' && meeting.mode === 'in_person') {
    throw new AppError(
      'validation',
      'Buổi họp trực tiếp: hãy điểm danh bằng mã trên màn hình của bí thư (diemdanh MÃ).',
      { field: 'code' },
    );
  }
}

/** A member answers the invitation: attending, or absent with a reason (the minutes list both). */
export async function respondAttendance(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; attending: boolean; reason?: string | null },
): Promise<void> {
  if (!actor.memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới trả lời lời mời họp.');
  await deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, { status: ['scheduled', 'in_progress'] });
    await assertOnRoll(sql, meeting, actor.memberId!);
    if (!input.attending && !input.reason?.trim())
      throw new AppError('validation', 'Xin đồng chí cho biết lý do vắng.', { field: 'reason' });
    await sql.query(
      `insert into meeting_attendance (meeting_id, member_id, response, absence_reason) values ($1, $2, $3, $4)
       on conflict (meeting_id, member_id) do update set response = $3, absence_reason = $4`,
      [
        meeting.id,
        actor.memberId,
        input.attending ? 'attending' : 'absent',
        input.attending ? null : input.reason!.trim(),
      ],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.response',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { attending: input.attending },
      at: deps.clock.now(),
    });
  });
}

/**
 * The secretary accepts (or not) the reason a member gave; or, with `reason`, records on the
 * member's behalf an absence she was told of (by phone…), with or without accepting it.
 * Accepted absences leave the vote base (rules.md §1). Audited either way.
 */
export async function acceptAbsence(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; memberId: number; accepted: boolean; reason?: string | null },
) {
  await deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, { role: CAN.runMeetings });
    const reason = input.reason?.trim();
    if (reason) {
      await assertOnRoll(sql, meeting, input.memberId);
      const [row] = await sql.query<{ present: boolean }>(
        `select checked_in_at is not null and left_at is null as present from meeting_attendance
          where meeting_id = $1 and member_id = $2`,
        [meeting.id, input.memberId],
      );
      if (row?.present) throw new AppError('validation', 'Đồng chí này đang có mặt (đã điểm danh).');
      await sql.query(
        `insert into meeting_attendance (meeting_id, member_id, response, absence_reason, reason_accepted)
         values ($1, $2, 'absent', $3, $4)
         on conflict (meeting_id, member_id) do update set response = 'absent', absence_reason = $3,
           reason_accepted = $4`,
        [meeting.id, input.memberId, reason, input.accepted],
      );
    } else {
      const rows = await sql.query(
        `update meeting_attendance set reason_accepted = $3 where meeting_id = $1 and member_id = $2
          and response = 'absent' returning 1`,
        [input.meetingId, input.memberId, input.accepted],
      );
      if (!rows.length) throw new AppError('validation', 'Đồng chí này chưa báo vắng.');
    }
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: reason ? 'meeting.absence_recorded' : 'meeting.absence_reviewed',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { memberId: input.memberId, accepted: input.accepted, onBehalf: Boolean(reason) },
      at: deps.clock.now(),
    });
  });
}

/** Leaving early is recorded with its time; the member is no longer present for later votes. */
export async function recordLeave(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; memberId: number },
) {
  await deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, {
      role: actor.memberId === input.memberId ? undefined : CAN.runMeetings,
    });
    const now = deps.clock.now();
    const rows = await sql.query(
      `update meeting_attendance set left_at = $3 where meeting_id = $1 and member_id = $2 and checked_in_at is not null
        and left_at is null returning 1`,
      [input.meetingId, input.memberId, now],
    );
    if (!rows.length) throw new AppError('validation', 'Đồng chí này chưa điểm danh hoặc đã rời họp.');
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.left',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { memberId: input.memberId },
      at: now,
    });
  });
}

export async function assertOnRoll(sql: Sql, meeting: Meeting, memberId: number) {
  if (!(await loadRollEntry(sql, meeting, meetingDate(meeting.startsAt), memberId))) throw notOnRoll();
}

const notOnRoll = () => new AppError('forbidden', 'Đồng chí không thuộc chi bộ của buổi họp này.');
