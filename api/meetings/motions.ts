import { maybeOne, type Sql } from '../db/connect.ts';
import type { DecisionKind } from '../rules/meeting-rules.ts';
import { MEETING_DATE_SQL, reviveEntry, rollEntrySql, type RollRow } from './repository.ts';

import { DISCIPLINE_LABELS, type DisciplineChoice } from '../rules/discipline.ts';
import { CHOICE_LABELS, CHOICES, type Ballot, type Choice } from './vocabulary.ts';

export { CHOICE_LABELS, CHOICES, type Choice } from './vocabulary.ts';

export interface Motion {
  id: number;
  meetingId: number;
  kind: DecisionKind;
  title: string;
  ballot: Ballot;
  allowChange: boolean;
  status: 'open' | 'closed';
  roomFor: number;
  roomAgainst: number;
  roomAbstain: number;
  /** The choices offered (discipline: the forms); null: for / against / abstain. */
  options: string[] | null;
  subjectMemberId: number | null;
  /** Secret ballots: the room's paper ballots per choice, entered by the counting committee. */
  roomCounts: Record<string, number>;
  countingCommittee: string | null;
  /** Elections: seats, what is elected, the round (a further round names the previous one). */
  seats: number | null;
  electionBody: string | null;
  round: number;
  previousRoundId: number | null;
  result: MotionResult | null;
}

/** The choices a ballot of this motion may take. */
export function motionChoices(motion: Pick<Motion, 'options'>): string[] {
  return motion.options ?? [...CHOICES];
}

export function choiceLabel(choice: string): string {
  return CHOICE_LABELS[choice as Choice] ?? DISCIPLINE_LABELS[choice as DisciplineChoice] ?? choice;
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
  /** Every choice's count, chat and room together (discipline: per form). */
  counts?: Record<string, number>;
  /** How the result was reached beyond one threshold (discipline: the cumulative steps). */
  explanation?: string;
  /** Discipline: the form adopted, or null for none. */
  adopted?: string | null;
  /** Ballots from chat and from the room, apart, so the addition is shown. */
  chatBallots?: number;
  roomBallots?: number;
  /** Elections: the result sheet (biên bản kiểm phiếu). */
  election?: ElectionResult;
}

export interface ElectionResult {
  summoned: number;
  attending: number;
  ballotsIssued: number;
  ballotsReceived: number;
  valid: number;
  invalid: number;
  seats: number;
  candidates: { memberId: number; fullName: string; votes: number; share: string; elected: boolean }[];
  elected: string[];
  furtherRound: { motionId: number | null; seats: number; reason: 'tie' | 'too_few'; candidates: string[] } | null;
}

const columns = (
  t = '',
) => `${t}id, ${t}meeting_id as "meetingId", ${t}kind, ${t}title, ${t}ballot, ${t}allow_change as "allowChange", ${t}status,
  ${t}room_for as "roomFor", ${t}room_against as "roomAgainst", ${t}room_abstain as "roomAbstain", ${t}result,
  ${t}options, ${t}subject_member_id as "subjectMemberId", ${t}room_counts as "roomCounts", ${t}counting_committee as "countingCommittee",
  ${t}seats, ${t}election_body as "electionBody", ${t}round, ${t}previous_round_id as "previousRoundId"`;
const COLUMNS = columns();

export async function findMotion(sql: Sql, id: number, lock = false): Promise<Motion | undefined> {
  return maybeOne<Motion>(sql, `select ${COLUMNS} from motions where id = $1 ${lock ? 'for update' : ''}`, [id]);
}

export async function listMotions(sql: Sql, meetingId: number): Promise<Motion[]> {
  return sql.query<Motion>(`select ${COLUMNS} from motions where meeting_id = $1 order by id`, [meetingId]);
}

/** Votes cast in chat (by choice): the open-ballot rows, or the ballots in the secret ballot box. */
export async function chatTally(
  sql: Sql,
  motion: Pick<Motion, 'id' | 'ballot' | 'options'>,
): Promise<Record<string, number>> {
  const rows =
    motion.ballot === 'open'
      ? await sql.query<{ choice: string; n: number }>(
          `select choice, count(*)::int as n from votes where motion_id = $1 group by choice`,
          [motion.id],
        )
      : await sql.query<{ choice: string; n: number }>(
          `select choice, count(*)::int as n from ballot_box where motion_id = $1 group by choice`,
          [motion.id],
        );
  const tally: Record<string, number> = Object.fromEntries(motionChoices(motion).map((c) => [c, 0]));
  for (const r of rows) tally[r.choice] = r.n;
  return tally;
}

/** A motion and the voter's roll entry at its meeting, in one round trip (the vote's read). */
export async function findMotionForVote(
  sql: Sql,
  id: number,
  memberId: number,
): Promise<{ motion: Motion; entry: RollRow | undefined } | undefined> {
  const [row] = await sql.query<Motion & { entry: RollRow | null }>(
    `select ${columns('mo.')},
            (select row_to_json(e) from (${rollEntrySql('mt.id', 'mt.cell_id', MEETING_DATE_SQL('mt'), '$2')}) e) as entry
       from motions mo join meetings mt on mt.id = mo.meeting_id where mo.id = $1`,
    [id, memberId],
  );
  if (!row) return undefined;
  const { entry, ...motion } = row;
  return { motion, entry: entry ? reviveEntry(entry) : undefined };
}
