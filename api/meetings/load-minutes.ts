import type { Sql } from '../db/connect.ts';
import { notFound } from '../errors.ts';
import { findMeeting, type Meeting } from './repository.ts';
import { getAttendanceView, type AttendanceView } from './get-attendance-view.ts';
import { listMotions, type Motion } from './motions.ts';
import { QUALITY_LEVELS } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { meetingDate } from './meeting-date.ts';
import { documentLocality, withoutNote } from '../orgs/document-settings.ts';

/** Everything the minutes (biên bản) contain, read from what happened (rules.md §5). */
/** The names a party document of the cell carries in its header (kept with a closed meeting's record). */
export interface HeaderNames {
  cellName: string;
  /** The body above the cell (e.g. "Đảng bộ xã …"), for the document's header; null at a root. */
  parentName: string | null;
  /** The locality written before the date (HD 36), from the units' names; null: left to fill in. */
  locality: string | null;
}

export interface MinutesData extends HeaderNames {
  meeting: Meeting;
  /** When the minutes were read back and approved at the meeting; null: not (yet). */
  approvedAt: Date | null;
  chair: string | null;
  minuteTaker: string | null;
  /** Rating levels' labels (rule data), for readable values. */
  ratingLabels: Record<string, string>;
  attendance: AttendanceView;
  agenda: { position: number; title: string; opinions: { name: string; body: string }[] }[];
  generalOpinions: { name: string; body: string }[];
  motions: Motion[];
  resolution: string | null;
  tasks: { assignee: string; title: string; dueOn: string; status: string }[];
  ratings: { level: string; n: number }[];
  amendments: { body: string; at: Date; author: string | null }[];
}

/** The header's names now, from the cell and the units above it (nearest first). */
export async function headerNames(sql: Sql, cellId: number): Promise<HeaderNames> {
  const units = await sql.query<{ name: string }>(
    `select a.name from orgs c join orgs a on a.path @> c.path where c.id = $1 order by nlevel(a.path) desc`,
    [cellId],
  );
  return {
    cellName: withoutNote(units[0].name),
    parentName: units[1] ? withoutNote(units[1].name) : null,
    locality: await documentLocality(sql, cellId),
  };
}

/** A closed meeting's header, as kept at its close; else today's. */
export async function meetingHeaderNames(sql: Sql, meeting: Meeting): Promise<HeaderNames> {
  const [kept] =
    meeting.status === 'closed'
      ? await sql.query<{ header: HeaderNames | null }>(
          `select record->'header' as header from meetings where id = $1`,
          [meeting.id],
        )
      : [];
  return kept?.header ?? headerNames(sql, meeting.cellId);
}

export async function loadMinutes(sql: Sql, meetingId: number): Promise<MinutesData> {
  const meeting = await findMeeting(sql, meetingId);
  if (!meeting) throw notFound('buổi họp');
  const items = await sql.query<{ id: number; position: number; title: string }>(
    `select id, position, title from meeting_agenda_items where meeting_id = $1 order by position`,
    [meetingId],
  );
  const opinions = await sql.query<{ itemId: number | null; name: string; body: string }>(
    `select o.agenda_item_id as "itemId", m.full_name as name, o.body from meeting_opinions o
      join members m on m.id = o.member_id
      where o.meeting_id = $1 order by o.id`,
    [meetingId],
  );
  const officers = await sql.query<{ chair: string | null; taker: string | null }>(
    `select c.full_name as chair, t.full_name as taker from meetings mt
       left join members c on c.id = mt.chair_member_id left join members t on t.id = mt.minute_taker_member_id
      where mt.id = $1`,
    [meetingId],
  );
  const levels = versionInForce(QUALITY_LEVELS, meetingDate(meeting.startsAt)).value;
  const [{ approvedAt }] = await sql.query<{ approvedAt: Date | null }>(
    `select minutes_approved_at as "approvedAt" from meetings where id = $1`,
    [meetingId],
  );
  return {
    meeting,
    ...(await meetingHeaderNames(sql, meeting)),
    approvedAt,
    chair: officers[0]?.chair ?? null,
    minuteTaker: officers[0]?.taker ?? null,
    ratingLabels: Object.fromEntries(levels.map((l) => [l.key, l.label])),
    attendance: await getAttendanceView(sql, meeting),
    agenda: items.map((i) => ({
      position: i.position,
      title: i.title,
      opinions: opinions.filter((o) => o.itemId === i.id),
    })),
    generalOpinions: opinions.filter((o) => o.itemId === null),
    motions: await listMotions(sql, meetingId),
    resolution:
      (await sql.query<{ body: string }>(`select body from resolutions where meeting_id = $1`, [meetingId]))[0]?.body ??
      null,
    tasks: await sql.query(
      `select m.full_name as assignee, t.title, t.due_on as "dueOn", t.status from tasks t
        join members m on m.id = t.assignee_member_id where t.meeting_id = $1 order by t.id`,
      [meetingId],
    ),
    ratings: await sql.query(
      `select level, count(*)::int as n from meeting_ratings where meeting_id = $1 group by level order by level`,
      [meetingId],
    ),
    amendments: await sql.query(
      `select a.body, a.created_at as at, p.display_name as author from minutes_amendments a
        left join principals p on p.id = a.author_principal_id where a.meeting_id = $1 order by a.id`,
      [meetingId],
    ),
  };
}
