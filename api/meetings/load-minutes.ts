import type { Sql } from '../db/connect.ts';
import { findOrg } from '../orgs/repository.ts';
import { notFound } from '../errors.ts';
import { findMeeting, type Meeting } from './repository.ts';
import { getAttendanceView, type AttendanceView } from './get-attendance-view.ts';
import { listMotions, type Motion } from './motions.ts';

/** Everything the minutes (biên bản) contain, read from what happened (rules.md §5). */
export interface MinutesData {
  meeting: Meeting;
  cellName: string;
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
    `select o.agenda_item_id as "itemId", m.full_name as name, o.body from meeting_opinions o join members m on m.id = o.member_id
      where o.meeting_id = $1 order by o.id`,
    [meetingId],
  );
  return {
    meeting,
    cellName: cell.name,
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
      `select m.full_name as assignee, t.title, t.due_on as "dueOn", t.status from tasks t join members m on m.id = t.assignee_member_id where t.meeting_id = $1 order by t.id`,
      [meetingId],
    ),
    ratings: await sql.query(
      `select level, count(*)::int as n from meeting_ratings where meeting_id = $1 group by level order by level`,
      [meetingId],
    ),
    amendments: await sql.query(
      `select a.body, a.created_at as at, p.display_name as author from minutes_amendments a left join principals p on p.id = a.author_principal_id where a.meeting_id = $1 order by a.id`,
      [meetingId],
    ),
  };
}
