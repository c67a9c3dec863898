import type { Sql } from '../db/connect.ts';

export interface MemberTask {
  id: number;
  title: string;
  dueOn: string;
  overdue: boolean;
}

/** A member's open tasks, soonest due first (overdue ones lead). */
export async function listMemberTasks(sql: Sql, memberId: number, limit = 10): Promise<MemberTask[]> {
  return sql.query<MemberTask>(
    `select id, title, due_on as "dueOn", due_on < current_date as overdue from tasks
      where assignee_member_id = $1 and status = 'open' order by due_on limit $2`,
    [memberId, limit],
  );
}
