/**
 * Where a vote in progress stands, for the secretary before she closes it: the ballots received
 * online (a count, never their content), who is still to vote, whether the room's paper count of
 * a secret ballot is in, and the threshold that applies to this motion.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import type { Sql } from '../db/connect.ts';
import { notFound } from '../errors.ts';
import { DECISIONS } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { describeFraction, needed } from '../rules/vote-math.ts';
import { attendsInRoom, whyNotEntitled } from './entitlement.ts';
import { getAttendanceView, type AttendanceView } from './get-attendance-view.ts';
import { meetingDate } from './meeting-date.ts';
import { findMotion, type Motion } from './motions.ts';
import type { Meeting } from './repository.ts';
import { requireMeeting } from './require-meeting.ts';

/** Where the room's paper count is entered, as the secretary and the counting committee are told. */
export const PAPER_WHERE =
  'bằng lệnh "phieugiay" trong chat (hoặc nút "Nhập phiếu giấy"), hoặc ở mục Biểu quyết trên trang quản trị';

export interface MotionProgress {
  motionId: number;
  ballot: 'open' | 'secret';
  /** Ballots received online so far. */
  received: number;
  /** Members entitled to vote, present online / in the room. */
  online: number;
  inRoom: number;
  /** Secret ballots held in the room: the paper count entered, declared none, or missing; else null. */
  paper: 'counted' | 'none' | 'missing' | null;
  threshold: string;
  base: number;
  needed: number;
  /** What is still missing, one line each (empty: ready to close). */
  missing: string[];
}

export async function getMotionProgress(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  motionId: number,
): Promise<MotionProgress> {
  const motion = await findMotion(deps.db, motionId);
  if (!motion) throw notFound('nội dung biểu quyết');
  const meeting = await requireMeeting(deps.db, actor, motion.meetingId, { role: CAN.readOrg });
  return motionProgress(deps.db, motion, meeting);
}

export async function motionProgress(sql: Sql, motion: Motion, meeting: Meeting): Promise<MotionProgress> {
  const view = await getAttendanceView(sql, meeting);
  const entitled = view.roll.filter((r) => !whyNotEntitled(r));
  const inRoom = entitled.filter(attendsInRoom).length;
  const online = entitled.length - inRoom;
  const [{ received }] = await sql.query<{ received: number }>(
    motion.ballot === 'secret'
      ? `select count(*)::int as received from ballot_participation where motion_id = $1`
      : `select count(*)::int as received from votes where motion_id = $1`,
    [motion.id],
  );
  const paper = paperState(motion, meeting, inRoom);
  const t = motionThreshold(motion, view, meetingDate(meeting.startsAt));
  return {
    motionId: motion.id,
    ballot: motion.ballot,
    received,
    online,
    inRoom,
    paper,
    threshold: describeFraction(t.fraction),
    base: t.base,
    needed: needed(t.base, t.fraction),
    missing: [
      ...(motion.status === 'open' && received < online
        ? [`${online - received}/${online} đảng viên trực tuyến chưa bỏ phiếu.`]
        : []),
      ...(paper === 'missing' ? [`C${paperMissing(inRoom).slice(1)}: ban kiểm phiếu nhập ${PAPER_WHERE}.`] : []),
    ],
  };
}

/**
 * A secret motion held in the room (the meeting has a room, and members entitled to vote are
 * in it) needs the room's paper count, or the statement that nobody there voted on paper.
 */
export function paperState(
  motion: Pick<Motion, 'ballot' | 'paperBallots'>,
  meeting: Pick<Meeting, 'mode'>,
  inRoom: number,
): MotionProgress['paper'] {
  if (motion.ballot !== 'secret' || meeting.mode === 'online' || inRoom === 0) return motion.paperBallots;
  return motion.paperBallots ?? 'missing';
}

export const paperMissing = (inRoom: number) => `chưa có số phiếu giấy của ${inRoom} đảng viên tại phòng họp`;

/**
 * The threshold of a motion and what it is a fraction of — rule: the vote base (those summoned,
 * rules.md §1), or those attending for a nominee's introduction (QĐ 190 Điều 14).
 */
export function motionThreshold(motion: Pick<Motion, 'kind'>, view: AttendanceView, date: string) {
  const rule = versionInForce(DECISIONS[motion.kind], date);
  const byAttending = rule.value.base === 'attending';
  return {
    rule,
    fraction: rule.value.threshold,
    byAttending,
    base: byAttending ? view.presentInBase : view.voteBase.base,
    baseExplanation: byAttending ? `${view.presentInBase} đảng viên chính thức có mặt` : view.voteBase.explanation,
  };
}
