import { maybeOne, one, type Sql } from '../db/connect.ts';
import { batchedWrite, batchTable, inBatchOrder } from '../db/batched-write.ts';
import type { RollEntry } from '../rules/vote-math.ts';
import type { MeetingKind, MeetingMode, MeetingStatus } from './vocabulary.ts';
import { compareVietnameseNames } from '../text/vietnamese-names.ts';

export type { MeetingKind, MeetingStatus } from './vocabulary.ts';

export interface Meeting {
  id: number;
  cellId: number;
  kind: MeetingKind;
  topic: string | null;
  startsAt: Date;
  place: string | null;
  mode: MeetingMode;
  status: MeetingStatus;
  openedAt: Date | null;
  closedAt: Date | null;
  checkinCode: string | null;
}

const meetingColumns = (t = '') => `${t}id, ${t}cell_id as "cellId", ${t}kind, ${t}topic, ${t}starts_at as "startsAt",
  ${t}place, ${t}mode, ${t}status, ${t}opened_at as "openedAt", ${t}closed_at as "closedAt",
  ${t}checkin_code as "checkinCode"`;
const MEETING_COLUMNS = meetingColumns();

export async function findMeeting(sql: Sql, id: number, lock = false): Promise<Meeting | undefined> {
  return maybeOne<Meeting>(sql, `select ${MEETING_COLUMNS} from meetings where id = $1 ${lock ? 'for update' : ''}`, [
    id,
  ]);
}

export async function insertMeeting(
  sql: Sql,
  m: Omit<Meeting, 'id' | 'status' | 'openedAt' | 'closedAt' | 'checkinCode'> & { createdBy: number },
): Promise<Meeting> {
  return one<Meeting>(
    sql,
    `insert into meetings (cell_id, kind, topic, starts_at, place, mode, created_by) values ($1, $2, $3, $4, $5, $6, $7)
      returning ${MEETING_COLUMNS}`,
    [m.cellId, m.kind, m.topic, m.startsAt, m.place, m.mode, m.createdBy],
  );
}

/** The meeting a member would act on now: the cell's meeting in progress, else the next scheduled one. */
export async function findCurrentMeeting(sql: Sql, cellId: number): Promise<Meeting | undefined> {
  return maybeOne<Meeting>(
    sql,
    `select ${MEETING_COLUMNS} from meetings where cell_id = $1 and status <> 'closed'
      order by (status = 'in_progress') desc, starts_at limit 1`,
    [cellId],
  );
}

export interface RollRow extends RollEntry {
  fullName: string;
  absenceReason: string | null;
  checkedInAt: Date | null;
  leftAt: Date | null;
  checkInMethod: string | null;
}

/**
 * Everyone expected at a cell's meeting on a date: the cell's own members (with the dated
 * facts in force) and members temporarily transferred in from another cell.
 */
export async function loadRoll(
  sql: Sql,
  meetingId: number,
  cellId: number,
  onDate: string,
  onlyMemberId: number | null = null,
): Promise<RollRow[]> {
  const rows = await sql.query<RollRow>(
    `with roll as (
       select m.id, m.full_name, m.status, false as transferred_in from members m where m.cell_id = $2 and m.active
       union
       select m.id, m.full_name, m.status, true from members m
         join member_periods p on p.member_id = m.id and p.kind = 'temporary_transfer' and p.host_cell_id = $2
          and p.starts_on <= $3::date and (p.ends_on is null or p.ends_on >= $3::date)
        where m.active
     )
     select r.id as "memberId", r.full_name as "fullName", r.status, r.transferred_in as "transferredIn",
            exists (select 1 from member_periods p where p.member_id = r.id and p.kind = 'exempt' ${inForce}) as exempt,
            exists (select 1 from member_periods p where p.member_id = r.id
              and p.kind in ('suspended', 'prosecuted') ${inForce}) as suspended,
            (not r.transferred_in and exists (select 1 from member_periods p
              where p.member_id = r.id and p.kind = 'temporary_transfer' ${inForce})) as "transferredOut",
            (a.checked_in_at is not null and a.left_at is null) as present,
            (a.response = 'absent' and a.reason_accepted and a.checked_in_at is null) as "absentWithAcceptedReason",
            a.absence_reason as "absenceReason", a.checked_in_at as "checkedInAt", a.left_at as "leftAt",
              a.check_in_method as "checkInMethod"
       from roll r left join meeting_attendance a on a.meeting_id = $1 and a.member_id = r.id
      where $4::int is null or r.id = $4
      order by r.id`,
    [meetingId, cellId, onDate, onlyMemberId],
  );
  // The roll reads as the cell's member list does: by given name, the Vietnamese way.
  return rows.sort((x, y) => compareVietnameseNames(x.fullName, y.fullName) || x.memberId - y.memberId);
}

const inForce = `and p.starts_on <= $3::date and (p.ends_on is null or p.ends_on >= $3::date)`;

/**
 * One member's roll entry for a meeting, as SQL over expressions for the meeting id, its cell,
 * its date and the member — so hot paths (a vote, a check-in) read it in the same statement
 * as the meeting or motion. Same facts as `loadRoll`; no row when the member is not on the roll.
 */
export function rollEntrySql(meetingId: string, cellId: string, onDate: string, memberId: string): string {
  const force = `and p.starts_on <= ${onDate} and (p.ends_on is null or p.ends_on >= ${onDate})`;
  const transferIn = `exists (select 1 from member_periods p where p.member_id = m.id and p.kind = 'temporary_transfer'
            and p.host_cell_id = ${cellId} ${force})`;
  return `select m.id as "memberId", m.full_name as "fullName", m.status, (m.cell_id <> ${cellId}) as "transferredIn",
            exists (select 1 from member_periods p where p.member_id = m.id and p.kind = 'exempt' ${force}) as exempt,
            exists (select 1 from member_periods p where p.member_id = m.id
              and p.kind in ('suspended', 'prosecuted') ${force}) as suspended,
            (m.cell_id = ${cellId} and exists (select 1 from member_periods p
              where p.member_id = m.id and p.kind = 'temporary_transfer' ${force})) as "transferredOut",
            (a.checked_in_at is not null and a.left_at is null) as present,
            coalesce(a.response = 'absent' and a.reason_accepted and a.checked_in_at is null, false)
              as "absentWithAcceptedReason",
            a.absence_reason as "absenceReason", a.checked_in_at as "checkedInAt", a.left_at as "leftAt",
              a.check_in_method as "checkInMethod"
       from members m left join meeting_attendance a on a.meeting_id = ${meetingId} and a.member_id = m.id
      where m.id = ${memberId} and m.active and (m.cell_id = ${cellId} or ${transferIn})`;
}

/** The meeting's date in Vietnam (UTC+7) as SQL, matching `meetingDate()`. */
export const MEETING_DATE_SQL = (t: string) => `((${t}.starts_at at time zone 'UTC') + interval '7 hours')::date`;

/** One member's roll entry (see `rollEntrySql`), or undefined when not on the roll. */
export async function loadRollEntry(
  sql: Sql,
  meeting: Pick<Meeting, 'id' | 'cellId'>,
  onDate: string,
  memberId: number,
): Promise<RollRow | undefined> {
  return maybeOne<RollRow>(sql, rollEntrySql('$1', '$2', '$3::date', '$4'), [
    meeting.id,
    meeting.cellId,
    onDate,
    memberId,
  ]);
}

/** A meeting and one member's roll entry in one round trip. */
export async function findMeetingWithEntry(
  sql: Sql,
  id: number,
  memberId: number,
): Promise<(Meeting & { entry: RollRow | null }) | undefined> {
  const row = await maybeOne<Meeting & { entry: (RollRow & { checkedInAt: string | null }) | null }>(
    sql,
    `select ${MEETING_COLUMNS},
            (select row_to_json(e) from (${rollEntrySql('mt.id', 'mt.cell_id', MEETING_DATE_SQL('mt'), '$2')}) e)
              as entry
       from meetings mt where id = $1`,
    [id, memberId],
  );
  return row && { ...row, entry: row.entry && reviveEntry(row.entry) };
}

export interface CheckInWrite {
  meetingId: number;
  memberId: number;
  method: string;
  at: Date;
  principalId: number;
}

export interface CheckInOutcome {
  meeting: Meeting & { entry: RollRow | null };
  allowed: boolean;
  took: boolean;
}

/**
 * A check-in in one statement (from chat, the busiest write of a meeting evening beside
 * votes): the meeting and the member's roll entry are read, and the check-in with its audit
 * entry is written only when the meeting is in progress, the member is on its roll and, from
 * chat, the meeting is not in the room only — the conditions check-in.ts explains when
 * `allowed` is false. Checking in twice keeps the first time (`took` false). Undefined: no
 * such meeting. Check-ins arriving together share one statement (db/batched-write.ts).
 */
export const recordCheckIn = batchedWrite<CheckInWrite, CheckInOutcome | undefined>({
  key: (c) => `${c.meetingId}:${c.memberId}`,
  async run(sql, batch) {
    const rows = await sql.query<Meeting & { n: number; entry: RollRow | null; allowed: boolean; took: boolean }>(
      CHECK_IN_SQL,
      [
        batch.map((c) => c.meetingId),
        batch.map((c) => c.memberId),
        batch.map((c) => c.at),
        batch.map((c) => c.method),
        batch.map((c) => c.principalId),
      ],
    );
    return inBatchOrder(batch.length, rows).map((row) => {
      if (!row) return undefined;
      const { n, allowed, took, entry, ...meeting } = row;
      return { meeting: { ...meeting, entry: entry && reviveEntry(entry) }, allowed, took };
    });
  },
});

/** The check-ins of a batch, each read, checked and written for itself, in (meeting, member) order. */
const CHECK_IN_SQL = `with i as (
         ${batchTable({ meeting_id: 'int', member_id: 'int', at: 'timestamptz', method: 'text', principal_id: 'int' })}
       ), mt as (
         select i.n, ${meetingColumns('mt.')}, row_to_json(e) as entry,
                mt.status = 'in_progress' and e."memberId" is not null
                  and (i.method <> 'chat' or mt.mode <> 'in_person') as allowed
           from i join meetings mt on mt.id = i.meeting_id
           left join lateral (${rollEntrySql('mt.id', 'mt.cell_id', MEETING_DATE_SQL('mt'), 'i.member_id')}) e on true
       ), a as (
         insert into meeting_attendance (meeting_id, member_id, checked_in_at, check_in_method)
         select i.meeting_id, i.member_id, i.at, i.method from i join mt using (n) where mt.allowed
          order by i.meeting_id, i.member_id
         on conflict (meeting_id, member_id) do update
           set checked_in_at = excluded.checked_in_at, check_in_method = excluded.check_in_method, left_at = null
           where meeting_attendance.checked_in_at is null
         returning meeting_id, member_id
       ), took as (
         select i.* from a join i using (meeting_id, member_id)
       ), audit as (
         insert into audit_log (at, actor_principal_id, action, subject_type, subject_id, details)
         select at, principal_id, 'meeting.check_in', 'meeting', meeting_id::text,
                jsonb_build_object('memberId', member_id, 'method', method)
           from took
       )
       select mt.*, exists (select 1 from took where took.n = mt.n) as took from mt`;

/** JSON built in SQL carries timestamps as strings. */
export function reviveEntry(e: RollRow): RollRow {
  return {
    ...e,
    checkedInAt: e.checkedInAt && new Date(e.checkedInAt),
    leftAt: e.leftAt && new Date(e.leftAt),
  };
}

/** Open tasks of a cell past their deadline: shown at the next meeting. */
export async function listOverdueTasks(sql: Sql, cellId: number, onDate: string) {
  return sql.query<{ id: number; title: string; dueOn: string; assignee: string }>(
    `select t.id, t.title, t.due_on as "dueOn", m.full_name as assignee from tasks t
      join members m on m.id = t.assignee_member_id
      where t.cell_id = $1 and t.status = 'open' and t.due_on < $2::date order by t.due_on`,
    [cellId, onDate],
  );
}

/** How members rated the meeting, for the secretary. */
export async function summariseRatings(sql: Sql, meetingId: number) {
  return sql.query<{ level: string; count: number }>(
    `select level, count(*)::int as count from meeting_ratings where meeting_id = $1 group by level order by level`,
    [meetingId],
  );
}
