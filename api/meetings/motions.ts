import { maybeOne, type Sql } from '../db/connect.ts';
import type { DecisionKind } from '../rules/meeting-rules.ts';

export type Choice = 'for' | 'against' | 'abstain';
export const CHOICES: Choice[] = ['for', 'against', 'abstain'];
export const CHOICE_LABELS: Record<Choice, string> = { for: 'Tán thành', against: 'Không tán thành', abstain: 'Không biểu quyết' };

export interface Motion {
  id: number;
  meetingId: number;
  kind: DecisionKind;
  title: string;
  ballot: 'open' | 'secret';
  allowChange: boolean;
  status: 'open' | 'closed';
  roomFor: number;
  roomAgainst: number;
  roomAbstain: number;
  result: MotionResult | null;
}

export interface MotionResult {
  for: number;
  against: number;
  abstain: number;
  base: number;
  baseExplanation: string;
  threshold: string;
  needed: number;
  passed: boolean;
  source: string;
}

const COLUMNS = `id, meeting_id as "meetingId", kind, title, ballot, allow_change as "allowChange", status,
  room_for as "roomFor", room_against as "roomAgainst", room_abstain as "roomAbstain", result`;

export async function findMotion(sql: Sql, id: number, lock = false): Promise<Motion | undefined> {
  return maybeOne<Motion>(sql, `select ${COLUMNS} from motions where id = $1 ${lock ? 'for update' : ''}`, [id]);
}

export async function listMotions(sql: Sql, meetingId: number): Promise<Motion[]> {
  return sql.query<Motion>(`select ${COLUMNS} from motions where meeting_id = $1 order by id`, [meetingId]);
}

/** Votes cast in chat (by choice), from the open-ballot rows or the secret tallies. */
export async function chatTally(sql: Sql, motion: Pick<Motion, 'id' | 'ballot'>): Promise<Record<Choice, number>> {
  const rows = motion.ballot === 'open'
    ? await sql.query<{ choice: Choice; n: number }>(`select choice, count(*)::int as n from votes where motion_id = $1 group by choice`, [motion.id])
    : await sql.query<{ choice: Choice; n: number }>(`select choice, count as n from secret_tallies where motion_id = $1`, [motion.id]);
  const tally = { for: 0, against: 0, abstain: 0 };
  for (const r of rows) tally[r.choice] = r.n;
  return tally;
}
