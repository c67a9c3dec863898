/**
 * Reminders, driven by the clock and kept idempotent by the outbox's dedupe keys (a restart
 * or a second instance never sends one twice): meetings the day before and one hour
 * before; tasks two days before their deadline.
 */
import type { Deps } from '../context.ts';
import { enqueueForMembers } from '../outbox/enqueue.ts';
import { formatVnDateTime } from './meeting-date.ts';
import { KIND_LABELS } from './schedule-meeting.ts';
import type { MeetingKind } from './repository.ts';

const WINDOWS = [
  { key: 'day', aheadMs: 24 * 3600_000, label: 'ngày mai' },
  { key: 'hour', aheadMs: 3600_000, label: '1 giờ nữa' },
] as const;
const TASK_AHEAD_DAYS = 2;

export async function runDueReminders(deps: Pick<Deps, 'db' | 'clock'>): Promise<number> {
  const now = deps.clock.now();
  let queued = 0;
  for (const w of WINDOWS) {
    const meetings = await deps.db.query<{
      id: number;
      cellId: number;
      kind: MeetingKind;
      startsAt: Date;
      place: string | null;
    }>(
      `select id, cell_id as "cellId", kind, starts_at as "startsAt", place from meetings
        where status = 'scheduled' and starts_at > $1 and starts_at <= $2`,
      [now, new Date(now.getTime() + w.aheadMs)],
    );
    for (const m of meetings) {
      queued += await deps.db.tx(async (sql) => {
        const members = await sql.query<{ id: number }>(
          `select id from members where cell_id = $1 and active and id not in (
             select member_id from meeting_attendance where meeting_id = $2 and response = 'absent')`,
          [m.cellId, m.id],
        );
        return enqueueForMembers(
          sql,
          members.map((x) => x.id),
          {
            text:
              `⏰ Nhắc lịch: ${KIND_LABELS[m.kind]} chi bộ ${w.label}, ` +
              `lúc ${formatVnDateTime(m.startsAt)}${m.place ? ` tại ${m.place}` : ''}.`,
          },
          {
            kind: 'meeting.reminder',
            refType: 'meeting',
            refId: m.id,
            dedupePrefix: `meeting:${m.id}:remind:${w.key}`,
          },
        );
      });
    }
  }
  const tasks = await deps.db.query<{ id: number; member: number; title: string; dueOn: string }>(
    `update tasks set reminded_at = $1 where status = 'open' and reminded_at is null
      and due_on <= ($1::timestamptz + make_interval(days => $2))::date
     returning id, assignee_member_id as member, title, due_on as "dueOn"`,
    [now, TASK_AHEAD_DAYS],
  );
  for (const t of tasks) {
    queued += await enqueueForMembers(
      deps.db,
      [t.member],
      {
        text: `⏰ Nhắc nhiệm vụ: ${t.title} — hạn ${t.dueOn.split('-').reverse().join('/')}.`,
        choices: [{ label: 'Báo đã xong', action: { kind: 'task-done', taskId: t.id } }],
      },
      { kind: 'task.reminder', refType: 'task', refId: t.id, dedupePrefix: `task:${t.id}:remind` },
    );
  }
  return queued;
}
