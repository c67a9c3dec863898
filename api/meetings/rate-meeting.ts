import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import { QUALITY_LEVELS } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { foldVietnamese } from '../text/fold.ts';
import { requireMeeting } from './require-meeting.ts';
import { assertOnRoll } from './check-in.ts';
import { meetingDate } from './meeting-date.ts';

/** A member rates the meeting's quality (tốt / khá / trung bình / kém — editable rule data). */
export async function rateMeeting(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; level: string },
) {
  if (!actor.memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới đánh giá buổi họp.');
  await deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, { status: ['in_progress', 'closed'] });
    await assertOnRoll(sql, meeting, actor.memberId!);
    const levels = versionInForce(QUALITY_LEVELS, meetingDate(meeting.startsAt)).value;
    const wanted = foldVietnamese(input.level).replace(/\s+/g, '_');
    const level = levels.find((l) => l.key === wanted || foldVietnamese(l.label).replace(/\s+/g, '_') === wanted);
    if (!level)
      throw new AppError('validation', `Mức đánh giá phải là: ${levels.map((l) => l.label).join(', ')}.`, {
        field: 'level',
      });
    await sql.query(
      `insert into meeting_ratings (meeting_id, member_id, level, rated_at) values ($1, $2, $3, $4)
       on conflict (meeting_id, member_id) do update set level = excluded.level, rated_at = excluded.rated_at`,
      [meeting.id, actor.memberId, level.key, deps.clock.now()],
    );
  });
}
