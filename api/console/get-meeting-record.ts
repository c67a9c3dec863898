import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { getAttendanceView } from '../meetings/get-attendance-view.ts';
import { listMotions } from '../meetings/motions.ts';
import { findMeeting, summariseRatings } from '../meetings/repository.ts';
import { findUnits } from './repository.ts';
import { getMotionsPanel } from '../meetings/get-motions-panel.ts';
import { motionProgress } from '../meetings/motion-progress.ts';

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
  const motions = await listMotions(deps.db, meeting.id);
  return {
    meeting,
    cell,
    canRun: await hasRole(deps.db, actor.id, meeting.cellId, CAN.runMeetings),
    attendance: await getAttendanceView(deps.db, meeting),
    motions,
    ...(await getMotionsPanel(deps.db, meeting, motions)),
    ratings: await summariseRatings(deps.db, meeting.id),
    resolution: resolution ?? null,
    tasks,
    documents,
  };
}

/** The live count of a meeting's open votes (the page's script asks every few seconds). */
export async function getMeetingProgress(deps: Pick<Deps, 'db'>, actor: Principal, meetingId: number) {
  const meeting = await findMeeting(deps.db, meetingId);
  if (!meeting) throw notFound('buổi họp');
  await requireRole(deps.db, actor, meeting.cellId, CAN.readOrg);
  const open = (await listMotions(deps.db, meeting.id)).filter((m) => m.status === 'open');
  const out: Record<string, { received: number; missing: string[] }> = {};
  for (const m of open) {
    const p = await motionProgress(deps.db, m, meeting);
    out[m.id] = { received: p.received, missing: p.missing };
  }
  return out;
}
