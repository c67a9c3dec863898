/**
 * What the console's meeting page shows beside its motions (the secretary's evening, issue 24):
 * each open vote's progress (ballots received, the paper count, what is missing, its own
 * threshold) and secrecy warning, the candidates an election's paper count is entered for, the
 * counting committee, the chair and minute-taker, the agenda and whether the minutes were approved.
 */
import type { Sql } from '../db/connect.ts';
import { onlineSecrecy } from './ballot-secrecy.ts';
import { listCounters } from './counting-committee.ts';
import { motionProgress, type MotionProgress } from './motion-progress.ts';
import type { Motion } from './motions.ts';
import { listCandidates, type Candidate } from './open-election.ts';
import type { Meeting } from './repository.ts';

export async function getMotionsPanel(sql: Sql, meeting: Meeting, motions: Motion[]) {
  const open = motions.filter((m) => m.status === 'open');
  const progress: Record<number, MotionProgress & { warning: string; candidates: Candidate[] }> = {};
  for (const m of open) {
    progress[m.id] = {
      ...(await motionProgress(sql, m, meeting)),
      warning: (await onlineSecrecy(sql, meeting, m.ballot)).toSecretary,
      candidates: m.kind === 'election' ? await listCandidates(sql, m.id) : [],
    };
  }
  const [officers] = await sql.query<{ chair: string | null; taker: string | null; approvedAt: Date | null }>(
    `select c.full_name as chair, t.full_name as taker, mt.minutes_approved_at as "approvedAt" from meetings mt
       left join members c on c.id = mt.chair_member_id left join members t on t.id = mt.minute_taker_member_id
      where mt.id = $1`,
    [meeting.id],
  );
  const agenda = await sql.query<{ position: number; title: string }>(
    `select position, title from meeting_agenda_items where meeting_id = $1 order by position`,
    [meeting.id],
  );
  return { progress, counters: await listCounters(sql, meeting.id), officers, agenda };
}
