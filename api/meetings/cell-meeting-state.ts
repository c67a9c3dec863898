/**
 * Where a cell's meeting stands — its current meeting (in progress first, else the next
 * scheduled), the motion open in it and that motion's ballot — in one statement shared with the
 * other chat updates being answered meanwhile (api/db/batched-write.ts): every finished chat
 * action ends with the main menu, which depends on it, so on a meeting evening each tap asked
 * it with three statements of its own (bench:webhook --profile 1).
 */
import { batchTable, batchedWrite, inBatchOrder } from '../db/batched-write.ts';
import type { Sql } from '../db/connect.ts';
import type { MeetingStatus } from './repository.ts';

export interface CellMeetingState {
  meeting?: { id: number; status: MeetingStatus };
  openMotionId?: number;
  openMotionBallot?: 'open' | 'secret';
}

const CELLS = batchTable({ cell_id: 'int' });

const readBatched = batchedWrite<number, CellMeetingState>({
  maxSize: 256,
  inFlight: 2,
  async run(sql, cellIds) {
    const rows = await sql.query<{
      n: number;
      meetingId: number | null;
      status: MeetingStatus;
      motionId: number | null;
      ballot: 'open' | 'secret';
    }>(
      // The same choices as findCurrentMeeting and findOpenMotionId.
      `with i as (${CELLS})
       select i.n, mt.id as "meetingId", mt.status, mo.id as "motionId", mo.ballot
         from i
         left join lateral (
           select id, status from meetings where cell_id = i.cell_id and status <> 'closed'
            order by (status = 'in_progress') desc, starts_at limit 1) mt on true
         left join lateral (
           select id, ballot from motions where meeting_id = mt.id and mt.status = 'in_progress' and status = 'open'
            order by id desc limit 1) mo on true`,
      [cellIds],
    );
    return inBatchOrder(cellIds.length, rows).map((r) =>
      r?.meetingId == null
        ? {}
        : {
            meeting: { id: r.meetingId, status: r.status },
            ...(r.motionId == null ? {} : { openMotionId: r.motionId, openMotionBallot: r.ballot }),
          },
    );
  },
});

export const findCellMeetingState = (sql: Sql, cellId: number): Promise<CellMeetingState> => readBatched(sql, cellId);
