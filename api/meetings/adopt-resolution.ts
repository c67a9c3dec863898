import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { enqueueForMembers, enqueueForOrgGroups } from '../outbox/enqueue.ts';
import { requireMeeting } from './require-meeting.ts';

export interface TaskInput {
  assigneeMemberId: number;
  title: string;
  dueOn: string;
}

/**
 * Part 3 of the meeting: the adopted resolution is published to the cell with its tasks;
 * each assignee is told in chat. Needs a passed resolution vote of this meeting.
 */
export async function adoptResolution(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; body: string; tasks: TaskInput[] },
) {
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, { role: CAN.runMeetings });
    const [passed] = await sql.query<{ id: number }>(
      `select id from motions where meeting_id = $1 and kind = 'resolution' and status = 'closed'
        and (result->>'passed')::boolean order by id desc limit 1`,
      [meeting.id],
    );
    if (!passed) throw new AppError('conflict', 'Chưa có biểu quyết thông qua nghị quyết tại buổi họp này.');
    const now = deps.clock.now();
    await sql.query(
      `insert into resolutions (meeting_id, body, motion_id, published_at) values ($1, $2, $3, $4)
       on conflict (meeting_id) do update set body = excluded.body, motion_id = excluded.motion_id,
         published_at = excluded.published_at`,
      [meeting.id, input.body.trim(), passed.id, now],
    );
    const members = await sql.query<{ id: number }>(`select id from members where cell_id = $1 and active`, [
      meeting.cellId,
    ]);
    const ids = new Set(members.map((m) => m.id));
    for (const t of input.tasks) {
      if (!ids.has(t.assigneeMemberId))
        throw new AppError('validation', 'Người được giao nhiệm vụ phải là đảng viên của chi bộ.', { field: 'tasks' });
      const [{ id }] = await sql.query<{ id: number }>(
        `insert into tasks (meeting_id, cell_id, assignee_member_id, title, due_on) values ($1, $2, $3, $4, $5)
          returning id`,
        [meeting.id, meeting.cellId, t.assigneeMemberId, t.title.trim(), t.dueOn],
      );
      await enqueueForMembers(
        sql,
        [t.assigneeMemberId],
        {
          text: `📌 Nhiệm vụ được giao: ${t.title.trim()}\nHạn: ${t.dueOn.split('-').reverse().join('/')}`,
          choices: [{ label: 'Báo đã xong', action: { kind: 'task-done', taskId: id } }],
        },
        { kind: 'task.assigned', refType: 'task', refId: id, dedupePrefix: `task:${id}:assigned` },
      );
    }
    const text =
      `📜 Nghị quyết chi bộ:\n` +
      `${input.body.trim()}${input.tasks.length ? `\n\nNhiệm vụ: ${input.tasks.length} việc đã giao.` : ''}`;
    const meta = {
      kind: 'resolution.published',
      refType: 'meeting',
      refId: meeting.id,
      dedupePrefix: `meeting:${meeting.id}:resolution`,
    };
    await enqueueForMembers(sql, [...ids], { text }, meta);
    await enqueueForOrgGroups(sql, meeting.cellId, { text }, meta);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'resolution.published',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { tasks: input.tasks.length },
      at: now,
    });
  });
}

/** The assignee reports a task done from chat. */
export async function completeTask(deps: Pick<Deps, 'db' | 'clock'>, actor: Principal, taskId: number) {
  const rows = await deps.db.query<{ title: string }>(
    `update tasks set status = 'done', done_at = $3 where id = $1 and assignee_member_id = $2 and status = 'open'
      returning title`,
    [taskId, actor.memberId ?? 0, deps.clock.now()],
  );
  if (!rows.length) throw new AppError('not_found', 'Không tìm thấy nhiệm vụ đang mở của đồng chí.');
  return rows[0];
}
