/**
 * Reminders, driven by the clock and kept idempotent by the outbox's dedupe keys (a restart
 * or a second instance never sends one twice): meetings the day before and one hour
 * before; tasks two days before their deadline.
 */
import type { Deps } from '../context.ts';
import { enqueueForMembers } from '../outbox/enqueue.ts';
import { formatVietnamDateTime } from '../text/vietnam-time.ts';
import { inQuietHours, relativeVietnamDay } from '../text/vietnam-time.ts';
import { KIND_LABELS } from './schedule-meeting.ts';
import type { MeetingKind } from './repository.ts';

const WINDOWS = [
  { key: 'day', aheadMs: 24 * 3600_000 },
  { key: 'hour', aheadMs: 3600_000 },
] as const;
const TASK_AHEAD_DAYS = 2;

export async function runDueReminders(deps: Pick<Deps, 'db' | 'clock' | 'config'>): Promise<number> {
  const now = deps.clock.now();
  // Nothing is pushed to phones in the quiet hours: what is due then goes when they end.
  if (inQuietHours(now, deps.config.quietHours)) return 0;
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
              `⏰ Nhắc lịch: ${KIND_LABELS[m.kind]} chi bộ ${when(w.key, m.startsAt, now)}, ` +
              `lúc ${formatVietnamDateTime(m.startsAt)}${m.place ? ` tại ${m.place}` : ''}.`,
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

/**
 * When the meeting is, as the member lives it: the Vietnam calendar day ("hôm nay", "ngày mai"),
 * and within the hour the minutes left — never "ngày mai" for a meeting later today.
 */
function when(window: 'day' | 'hour', startsAt: Date, now: Date): string {
  if (window === 'hour')
    return `sau ${Math.max(1, Math.round((startsAt.getTime() - now.getTime()) / 60_000))} phút nữa`;
  return relativeVietnamDay(startsAt, now) ?? 'sắp tới';
}
