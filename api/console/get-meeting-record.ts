import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { getAttendanceView } from '../meetings/get-attendance-view.ts';
import { listMotions } from '../meetings/motions.ts';
import { findMeeting, summariseRatings } from '../meetings/repository.ts';
import { findUnits } from './repository.ts';

/** One meeting's record for the console: roll and quorum, motions with base and threshold, ratings, resolution. */
export async function getMeetingRecord(deps: Pick<Deps, 'db'>, actor: Principal, meetingId: number) {
  const meeting = await findMeeting(deps.db, meetingId);
  if (!meeting) throw notFound('buổi họp');
  await requireRole(deps.db, actor, meeting.cellId, CAN.readOrg);
  const [cell] = await findUnits(deps.db, [meeting.cellId]);
  const [resolution] = await deps.db.query<{ body: string; publishedAt: Date | null }>(
    `select body, published_at as "publishedAt" from resolutions where meeting_id = $1`,
    [meetingId],
  );
  const tasks = await deps.db.query<{ title: string; dueOn: string; status: string; assignee: string }>(
    `select t.title, t.due_on as "dueOn", t.status, m.full_name as assignee
       from tasks t join members m on m.id = t.assignee_member_id where t.meeting_id = $1 order by t.id`,
    [meetingId],
  );
  const documents = await deps.db.query<{ title: string; sentAt: Date; opens: number }>(
    `select d.title, d.sent_at as "sentAt",
            (select count(*)::int from document_opens o where o.document_id = d.id) as opens
       from meeting_documents d where d.meeting_id = $1 order by d.id`,
    [meetingId],
  );
  return {
    meeting,
    cell,
    canRun: await hasRole(deps.db, actor.id, meeting.cellId, CAN.runMeetings),
    attendance: await getAttendanceView(deps.db, meeting),
    motions: await listMotions(deps.db, meeting.id),
    ratings: await summariseRatings(deps.db, meeting.id),
    resolution: resolution ?? null,
    tasks,
    documents,
  };
}
