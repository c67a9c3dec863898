import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { requireMeeting } from './require-meeting.ts';
import { assertOnRoll } from './check-in.ts';

/** A member's opinion on an agenda item (by its number), recorded with their name as the minutes do. */
export async function addOpinion(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; itemPosition?: number | null; body: string },
) {
  if (!actor.memberId) throw new AppError('forbidden', 'Chỉ đảng viên mới góp ý kiến.');
  const body = input.body.trim();
  if (!body) throw new AppError('validation', 'Ý kiến không được để trống.', { field: 'body' });
  if (body.length > 4000) throw new AppError('validation', 'Ý kiến dài quá 4000 ký tự.', { field: 'body' });
  await deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, { status: ['in_progress', 'closed'] });
    await assertOnRoll(sql, meeting, actor.memberId!);
    let itemId: number | null = null;
    if (input.itemPosition) {
      const [item] = await sql.query<{ id: number }>(
        `select id from meeting_agenda_items where meeting_id = $1 and position = $2`,
        [meeting.id, input.itemPosition],
      );
      if (!item)
        throw new AppError('validation', `Không có nội dung số ${input.itemPosition} trong chương trình họp.`, {
          field: 'itemPosition',
        });
      itemId = item.id;
    }
    await sql.query(
      `insert into meeting_opinions (meeting_id, agenda_item_id, member_id, body, created_at)
        values ($1, $2, $3, $4, $5)`,
      [meeting.id, itemId, actor.memberId, body, deps.clock.now()],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.opinion',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { itemId },
    });
  });
}
