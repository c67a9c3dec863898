import type { Sql } from '../db/connect.ts';
import { CONGRESS_QUORUM, QUORUM } from '../rules/meeting-rules.ts';
import { DEFAULT_WORDS, versionInForce } from '../rules/rule.ts';
import { computeVoteBase, describeFraction, needed, reaches, type VoteBase } from '../rules/vote-math.ts';
import { loadRoll, type Meeting, reviveEntry, type RollRow } from './repository.ts';
import { meetingDate } from './meeting-date.ts';

export interface AttendanceView {
  meetingId: number;
  present: RollRow[];
  absentWithReason: RollRow[];
  absentWithoutReason: RollRow[];
  /** Before the start time nobody is absent yet: those not checked in are listed here ("chưa điểm danh"). */
  notYetCheckedIn: RollRow[];
  /** The meeting has started (opened, and its start time reached when `now` is given). */
  started: boolean;
  /** Exempt members who are not present, shown apart (not expected). */
  exemptAbsent: RollRow[];
  /** Attending but not on this cell's roll (temporarily transferred in). */
  guests: RollRow[];
  voteBase: VoteBase;
  /** Present members who are in the vote base (official, not transferred in, not suspended). */
  presentInBase: number;
  quorum: {
    required: number;
    reached: boolean;
    rule: string;
    source: string;
    /** The rule is a default setting, not a confirmed rule: what the reader is told (else empty). */
    note: string;
    explanation: string;
  };
  /** Regardless of quorum nothing passes without more than half of the whole base (rules.md §2). */
  majorityOfBase: number;
  roll: RollRow[];
}

/**
 * Who is expected, present and absent, the vote base and the quorum. A closed meeting's view is
 * the one kept at its close (close-meeting.ts): later changes to the cell do not rewrite it.
 */
export async function getAttendanceView(sql: Sql, meeting: Meeting, now?: Date): Promise<AttendanceView> {
  if (meeting.status === 'closed') {
    const frozen = await frozenAttendance(sql, meeting.id);
    if (frozen) return frozen;
  }
  const date = meetingDate(meeting.startsAt);
  const roll = await loadRoll(sql, meeting.id, meeting.cellId, date);
  const voteBase = computeVoteBase(roll);
  const own = roll.filter((r) => !r.transferredIn);
  const inBase = (r: RollRow) => r.status === 'official' && !r.transferredIn && !r.suspended && !r.transferredOut;
  const presentInBase = roll.filter((r) => r.present && inBase(r)).length;
  // rule: quorum — setting meeting.quorum (default more than 2/3 of the vote base) [unconfirmed]; a meeting
  // that elects is a congress: setting meeting.congress_quorum (default more than 2/3 of those summoned) [unconfirmed]
  const congress = await holdsElection(sql, meeting.id);
  const q = versionInForce(congress ? CONGRESS_QUORUM : QUORUM, date);
  const required = needed(voteBase.base, q.value);
  const started =
    meeting.status === 'closed' ||
    (meeting.status === 'in_progress' && (!now || now.getTime() >= meeting.startsAt.getTime()));
  const missing = own.filter((r) => !r.present && !r.exempt && !r.absenceReason && !r.suspended && !r.transferredOut);
  return {
    meetingId: meeting.id,
    present: roll.filter((r) => r.present),
    absentWithReason: own.filter((r) => !r.present && !r.exempt && r.absenceReason),
    absentWithoutReason: started ? missing : [],
    notYetCheckedIn: started ? [] : missing,
    started,
    exemptAbsent: own.filter((r) => !r.present && r.exempt),
    guests: roll.filter((r) => r.transferredIn),
    voteBase,
    presentInBase,
    quorum: {
      required,
      reached: reaches(presentInBase, voteBase.base, q.value),
      rule: describeFraction(q.value),
      source: q.source,
      note: q.confidence === 'unconfirmed' ? DEFAULT_WORDS : '',
      explanation:
        `${presentInBase}/${voteBase.base} đảng viên chính thức được triệu tập có mặt, ` +
        `cần ${describeFraction(q.value)}${congress ? ' để đại hội hợp lệ' : ''} ` +
        `(tối thiểu ${required}${q.confidence === 'unconfirmed' ? `; ${DEFAULT_WORDS}` : ''}). ${voteBase.explanation}`,
    },
    // rule: nothing passes without more than half of the whole vote base — Điều lệ Đ9 k5
    majorityOfBase: Math.floor(voteBase.base / 2) + 1,
    roll,
  };
}

async function holdsElection(sql: Sql, meetingId: number): Promise<boolean> {
  const rows = await sql.query(`select 1 from motions where meeting_id = $1 and kind = 'election' limit 1`, [
    meetingId,
  ]);
  return rows.length > 0;
}

async function frozenAttendance(sql: Sql, meetingId: number): Promise<AttendanceView | undefined> {
  const [row] = await sql.query<{ view: AttendanceView | null }>(
    `select record->'attendance' as view from meetings where id = $1`,
    [meetingId],
  );
  if (!row?.view) return undefined;
  const v = row.view;
  const revive = (rows: RollRow[]) => rows.map(reviveEntry);
  return {
    ...v,
    present: revive(v.present),
    absentWithReason: revive(v.absentWithReason),
    absentWithoutReason: revive(v.absentWithoutReason),
    notYetCheckedIn: revive(v.notYetCheckedIn),
    exemptAbsent: revive(v.exemptAbsent),
    guests: revive(v.guests),
    roll: revive(v.roll),
  };
}
