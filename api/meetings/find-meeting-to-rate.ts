import type { Sql } from '../db/connect.ts';

/** The meeting a member rates: the one in progress, else the cell's last closed one. */
export async function findMeetingToRate(sql: Sql, cellId: number): Promise<number | undefined> {
  const [m] = await sql.query<{ id: number }>(
    `select id from meetings where cell_id = $1 and status <> 'scheduled'
      order by (status = 'in_progress') desc, closed_at desc nulls last limit 1`,
    [cellId],
  );
  return m?.id;
}
