import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { requireMeeting } from './require-meeting.ts';

export const MAX_AGENDA_ITEMS = 30;

/** Agenda items as typed (chat, a textarea): one per line, or separated by ";", numbering ("1.", "-") dropped. */
export function agendaFromText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .flatMap((l) => l.split(';'))
    .map((l) => l.replace(/^\s*(\d+[.)]|[-–•*])\s*/u, '').trim())
    .filter(Boolean);
}

/**
 * The meeting's agenda (chương trình, section "II. NỘI DUNG" of the minutes), set or replaced
 * from the schedule form, the meeting page or chat before the meeting ends. Items that already
 * carry opinions stay as they are: the agenda is then only added to.
 */
export async function setAgenda(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; items: string[] },
): Promise<{ position: number; title: string }[]> {
  const items = input.items.map((i) => i.replace(/\s+/g, ' ').trim()).filter(Boolean);
  if (!items.length) throw new AppError('validation', 'Nội dung họp cần ít nhất một mục.', { field: 'items' });
  if (items.length > MAX_AGENDA_ITEMS)
    throw new AppError('validation', `Nội dung họp tối đa ${MAX_AGENDA_ITEMS} mục.`, { field: 'items' });
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, {
      role: CAN.runMeetings,
      status: ['scheduled', 'in_progress'],
      statusMessage: 'Buổi họp đã kết thúc: nội dung họp ghi trong biên bản, đính chính nếu cần.',
      lock: true,
    });
    const discussed = await sql.query(
      `select 1 from meeting_opinions o join meeting_agenda_items i on i.id = o.agenda_item_id
        where i.meeting_id = $1 limit 1`,
      [meeting.id],
    );
    if (discussed.length)
      throw new AppError('conflict', 'Đã có ý kiến theo từng mục nội dung: không thay được chương trình họp nữa.');
    await sql.query(`delete from meeting_agenda_items where meeting_id = $1`, [meeting.id]);
    await sql.query(
      `insert into meeting_agenda_items (meeting_id, position, title)
       select $1, n, title from unnest($2::text[]) with ordinality as t(title, n)`,
      [meeting.id, items],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.agenda',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { items: items.length },
      at: deps.clock.now(),
    });
    return items.map((title, i) => ({ position: i + 1, title }));
  });
}
