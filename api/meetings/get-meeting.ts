import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { getAttendanceView } from './get-attendance-view.ts';
import { listOverdueTasks, summariseRatings } from './repository.ts';
import { meetingDate } from './meeting-date.ts';
import { listMotions } from './motions.ts';
import { requireMeeting } from './require-meeting.ts';

/** A meeting with its live attendance view (before the start: "chưa điểm danh", not "vắng"), quorum and motions. */
export async function getMeeting(deps: Pick<Deps, 'db' | 'clock'>, actor: Principal, meetingId: number) {
  const meeting = await requireMeeting(deps.db, actor, meetingId, { role: CAN.readOrg });
  return {
    ...meeting,
    attendance: await getAttendanceView(deps.db, meeting, deps.clock.now()),
    motions: await listMotions(deps.db, meeting.id),
    ratings: await summariseRatings(deps.db, meeting.id),
    overdueTasks: await listOverdueTasks(deps.db, meeting.cellId, meetingDate(meeting.startsAt)),
  };
}
