import type { Sql } from '../db/connect.ts';
import { findOrg } from '../orgs/repository.ts';
import { notFound } from '../errors.ts';
import { findMeeting, type Meeting } from './repository.ts';
import { getAttendanceView, type AttendanceView } from './get-attendance-view.ts';
import { listMotions, type Motion } from './motions.ts';
import { QUALITY_LEVELS } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { meetingDate } from './meeting-date.ts';

/** Everything the minutes (biên bản) contain, read from what happened (rules.md §5). */
export interface MinutesData {
  meeting: Meeting;
  cellName: string;
  /** The body above the cell (e.g. "Đảng bộ xã …"), for the document's header; null at a root. */
  parentName: string | null;
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

export async function loadMinutes(sql: Sql, meetingId: number): Promise<MinutesData> {
  const meeting = await findMeeting(sql, meetingId);
  if (!meeting) throw notFound('buổi họp');
  const cell = (await findOrg(sql, meeting.cellId))!;
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
  const parent = cell.parentId ? await findOrg(sql, cell.parentId) : undefined;
  const levels = versionInForce(QUALITY_LEVELS, meetingDate(meeting.startsAt)).value;
  return {
    meeting,
    cellName: cell.name,
    parentName: parent?.name ?? null,
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
