import type { Sql } from '../db/connect.ts';

/** The motion being voted on in a meeting (the latest opened), if any. */
export async function findOpenMotionId(sql: Sql, meetingId: number): Promise<number | undefined> {
  const [m] = await sql.query<{ id: number }>(
    `select id from motions where meeting_id = $1 and status = 'open' order by id desc limit 1`,
    [meetingId],
  );
  return m?.id;
}
