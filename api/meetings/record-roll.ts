/**
 * The console's roll: the secretary marks everyone she sees in the room (herself included) and
 * the reasons she was given for those away, in one form saved once — 38 members are one post,
 * not 26 page reloads. Each mark is the same use case a single one is (`checkIn` by the
 * secretary, `acceptAbsence` on the member's behalf), so the rules and the audit log are the
 * same; marking someone already present keeps the first time, so a form posted twice counts
 * nobody twice.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { AppError } from '../errors.ts';
import { loadRoll } from './repository.ts';
import { meetingDate } from './meeting-date.ts';
import { requireMeeting } from './require-meeting.ts';
import { acceptAbsence, checkIn } from './check-in.ts';

/**
 * The reasons the form offers; they leave the vote base (rules.md §1). "none" (vắng không lý do)
 * writes nothing: a member away with no reason recorded is listed so in the minutes.
 */
export const ROLL_ABSENCE_REASONS: Record<string, { text: string; accepted: boolean } | null> = {
  trip: { text: 'Đi công tác', accepted: true },
  ill: { text: 'Ốm, đau', accepted: true },
  family: { text: 'Việc gia đình', accepted: true },
  none: null,
};

export async function recordRoll(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; present: number[]; absences: { memberId: number; reason: string }[] },
): Promise<{ checkedIn: number; absences: number }> {
  const meeting = await requireMeeting(deps.db, actor, input.meetingId, {
    role: CAN.runMeetings,
    status: ['in_progress'],
    statusMessage: 'Chỉ ghi điểm danh khi buổi họp đang diễn ra.',
  });
  const roll = new Set(
    (await loadRoll(deps.db, meeting.id, meeting.cellId, meetingDate(meeting.startsAt))).map((r) => r.memberId),
  );
  // Everything is checked before anything is written: a bad form changes nothing.
  const absences = input.absences.filter((a) => a.reason !== '' && !input.present.includes(a.memberId));
  for (const id of [...input.present, ...absences.map((a) => a.memberId)])
    if (!roll.has(id)) throw new AppError('validation', 'Có đồng chí không thuộc danh sách của buổi họp này.');
  for (const a of absences)
    if (!Object.hasOwn(ROLL_ABSENCE_REASONS, a.reason)) throw new AppError('validation', 'Lý do vắng không hợp lệ.');
  let checkedIn = 0;
  for (const memberId of new Set(input.present)) {
    const r = await checkIn(deps, actor, { meetingId: meeting.id, memberId, method: 'secretary' });
    if (!r.alreadyPresent) checkedIn++;
  }
  let reasons = 0;
  for (const a of absences) {
    const reason = ROLL_ABSENCE_REASONS[a.reason];
    if (!reason) continue;
    reasons++;
    await acceptAbsence(deps, actor, {
      meetingId: meeting.id,
      memberId: a.memberId,
      accepted: reason.accepted,
      reason: reason.text,
    });
  }
  return { checkedIn, absences: reasons };
}
