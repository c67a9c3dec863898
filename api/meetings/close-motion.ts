import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, notFound } from '../errors.ts';
import { DECISIONS } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { describeFraction, needed, reaches } from '../rules/vote-math.ts';
import { enqueueForOrgGroups } from '../outbox/enqueue.ts';
import { findMeeting } from './repository.ts';
import { meetingDate } from './meeting-date.ts';
import { getAttendanceView } from './get-attendance-view.ts';
import { chatTally, findMotion, type MotionResult } from './motions.ts';
import { VOTE_KIND_LABELS } from './open-motion.ts';

/**
 * Closes a motion and decides it against the threshold in force on the meeting's date and
 * the vote base at that moment; the result is stored and posted to the cell's group.
 */
export async function closeMotion(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  motionId: number,
): Promise<MotionResult & { text: string }> {
  return deps.db.tx(async (sql) => {
    const motion = await findMotion(sql, motionId, true);
    if (!motion) throw notFound('nội dung biểu quyết');
    const meeting = (await findMeeting(sql, motion.meetingId))!;
    await requireRole(sql, actor, meeting.cellId, CAN.runMeetings);
    if (motion.status !== 'open') throw new AppError('conflict', 'Biểu quyết này đã kết thúc.');
    const chat = await chatTally(sql, motion);
    const view = await getAttendanceView(sql, meeting);
    const rule = versionInForce(DECISIONS[motion.kind], meetingDate(meeting.startsAt));
    const base = view.voteBase.base;
    const votesFor = chat.for + motion.roomFor;
    const result: MotionResult = {
      for: votesFor,
      against: chat.against + motion.roomAgainst,
      abstain: chat.abstain + motion.roomAbstain,
      base,
      baseExplanation: view.voteBase.explanation,
      threshold: describeFraction(rule.value.threshold),
      needed: needed(base, rule.value.threshold),
      // rule: thresholds — rules.md §3 (ties fail: a tie is never "more than half")
      passed: base > 0 && reaches(votesFor, base, rule.value.threshold),
      source: rule.source,
    };
    const text =
      `Kết quả — ${VOTE_KIND_LABELS[motion.kind]}: ${motion.title}\n` +
      `Tán thành ${result.for}, không tán thành ${result.against}, không biểu quyết ${result.abstain}.\n` +
      `Cần ${result.threshold} của ${base} (tối thiểu ${result.needed}). ${view.voteBase.explanation}.\n` +
      (result.passed ? '✅ THÔNG QUA.' : '❌ KHÔNG THÔNG QUA.');
    await sql.query(`update motions set status = 'closed', closed_at = $2, result = $3::jsonb where id = $1`, [
      motion.id,
      deps.clock.now(),
      JSON.stringify(result),
    ]);
    await enqueueForOrgGroups(
      sql,
      meeting.cellId,
      { text },
      { kind: 'motion.closed', refType: 'motion', refId: motion.id, dedupePrefix: `motion:${motion.id}:closed` },
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'motion.closed',
      subjectType: 'motion',
      subjectId: motion.id,
      details: { ...result },
      at: deps.clock.now(),
    });
    return { ...result, text };
  });
}
