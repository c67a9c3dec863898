import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { invalid, notFound } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import { isCellKind } from '../orgs/kinds.ts';
import { enqueueForMembers, enqueueForOrgGroups } from '../outbox/enqueue.ts';
import { formatVietnamDateTime } from '../text/vietnam-time.ts';
import { insertMeeting, type Meeting } from './repository.ts';
import { KIND_LABELS, type MeetingKind, type MeetingMode } from './vocabulary.ts';

export interface ScheduleMeetingInput {
  cellId: number;
  kind: MeetingKind;
  topic?: string | null;
  startsAt: Date;
  place?: string | null;
  mode: MeetingMode;
  agenda?: string[];
}

export { KIND_LABELS } from './vocabulary.ts';

/**
 * A secretary schedules a cell meeting — regular, thematic, or both in one session — and
 * every member (and the cell's group) is told in chat, in the same transaction.
 */
export async function scheduleMeeting(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: ScheduleMeetingInput,
): Promise<Meeting> {
  const cell = await findOrg(deps.db, input.cellId);
  if (!cell || !isCellKind(cell.kind)) throw notFound('chi bộ');
  await requireRole(deps.db, actor, cell.id, CAN.runMeetings);
  if (input.kind !== 'regular' && !input.topic?.trim()) throw invalid('topic', 'Sinh hoạt chuyên đề cần có chủ đề.');
  if (input.startsAt.getTime() < deps.clock.now().getTime() - 3600_000)
    throw invalid('startsAt', 'Thời gian họp đã qua.');
  return deps.db.tx(async (sql) => {
    const meeting = await insertMeeting(sql, {
      cellId: cell.id,
      kind: input.kind,
      topic: input.topic?.trim() || null,
      startsAt: input.startsAt,
      place: input.place ?? null,
      mode: input.mode,
      createdBy: actor.id,
    });
    for (const [i, title] of (input.agenda ?? []).entries()) {
      await sql.query(`insert into meeting_agenda_items (meeting_id, position, title) values ($1, $2, $3)`, [
        meeting.id,
        i + 1,
        title,
      ]);
    }
    const text =
      `📅 ${cell.name}: ${KIND_LABELS[meeting.kind]}${meeting.topic ? ` — chủ đề "${meeting.topic}"` : ''}\n` +
      `Thời gian: ${formatVietnamDateTime(meeting.startsAt)}${meeting.place ? `\nĐịa điểm: ${meeting.place}` : ''}\n` +
      (input.agenda?.length ? `Nội dung:\n${input.agenda.map((a, i) => `${i + 1}. ${a}`).join('\n')}\n` : '') +
      'Đồng chí xác nhận tham dự hoặc báo vắng (kèm lý do).';
    const choices = [
      { label: 'Tham dự', action: { kind: 'attend' as const, meetingId: meeting.id, attending: true } },
      { label: 'Báo vắng', action: { kind: 'attend' as const, meetingId: meeting.id, attending: false } },
    ];
    const members = await sql.query<{ id: number }>(`select id from members where cell_id = $1 and active`, [cell.id]);
    const meta = {
      kind: 'meeting.scheduled',
      refType: 'meeting',
      refId: meeting.id,
      dedupePrefix: `meeting:${meeting.id}:scheduled`,
    };
    await enqueueForMembers(
      sql,
      members.map((m) => m.id),
      { text, choices },
      meta,
    );
    await enqueueForOrgGroups(sql, cell.id, { text }, meta);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.scheduled',
      subjectType: 'meeting',
      subjectId: meeting.id,
      at: deps.clock.now(),
    });
    return meeting;
  });
}
