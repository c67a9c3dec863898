import { maybeOne, type Sql } from '../db/connect.ts';
import type { DecisionKind } from '../rules/meeting-rules.ts';
import { MEETING_DATE_SQL, reviveEntry, rollEntrySql, type RollRow } from './repository.ts';
import { votesOnlineSql } from './entitlement.ts';

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
) => `${t}id, ${t}meeting_id as "meetingId", ${t}kind, ${t}title, ${t}ballot, ${t}allow_change as "allowChange",
  ${t}status, ${t}room_for as "roomFor", ${t}room_against as "roomAgainst", ${t}room_abstain as "roomAbstain",
  ${t}result, ${t}options, ${t}subject_member_id as "subjectMemberId", ${t}room_counts as "roomCounts",
  ${t}counting_committee as "countingCommittee", ${t}seats, ${t}election_body as "electionBody", ${t}round,
  ${t}previous_round_id as "previousRoundId"`;
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

export interface ChatBallot {
  motionId: number;
  memberId: number;
  /** A choice of the motion's; 'ballot' for an election ballot. */
  choice: string;
  /** An election ballot's names kept (already checked against the candidates), else null. */
  kept: number[] | null;
  at: Date;
  principalId: number;
}

export interface ChatBallotOutcome {
  motion: Motion;
  entry: RollRow | undefined;
  /** The member may cast this ballot (entitled, online, a valid choice); when not, nothing was written. */
  allowed: boolean;
  /** The motion was still open under its share lock. */
  open: boolean;
  /** A ballot was recorded (or an open vote changed where allowed). */
  took: boolean;
  changed: boolean;
}

/**
 * A member's ballot from chat in one statement (the busiest write of a meeting evening): the
 * motion and the member's roll entry are read, the ballot is written only when
 * `votesOnlineSql` allows it and the choice is the motion's, and what was read comes back so
 * the caller can explain a refusal. A share lock on the motion re-checks that it is open at
 * the moment of writing (closing takes the exclusive lock, so no vote lands in a closed motion).
 *
 * Open ballot: the vote (changed only where the secretary allowed) and its audit entry.
 * Secret ballot: participation (who) and the ballot (what) are two rows with nothing in common
 * but the motion — no member, id or timestamp on the ballot, and no audit entry, which would
 * share their xmin; closing rewrites both (close-motion.ts).
 */
export async function recordChatBallot(sql: Sql, b: ChatBallot): Promise<ChatBallotOutcome | undefined> {
  const [row] = await sql.query<
    Motion & { entry: RollRow | null; allowed: boolean; open: boolean; took: boolean; changed: boolean }
  >(
    `with mo as (
       select ${columns('mo.')}, row_to_json(e) as entry,
              ${votesOnlineSql('e')}
              and case when mo.kind = 'election' then $5::int[] is not null
                       else $5::int[] is null and $3 = any(coalesce(mo.options, $7::text[])) end as allowed
         from motions mo join meetings mt on mt.id = mo.meeting_id
         left join lateral (${rollEntrySql('mt.id', 'mt.cell_id', MEETING_DATE_SQL('mt'), '$2')}) e on true
        where mo.id = $1
     ), open as (
       select m.id, mo.ballot from motions m join mo on mo.id = m.id and mo.allowed
        where m.status = 'open' for share of m
     ), v as (
       insert into votes (motion_id, member_id, choice, cast_at) select $1, $2, $3, $4 from open where ballot = 'open'
       on conflict (motion_id, member_id) do update set choice = excluded.choice, cast_at = excluded.cast_at
         where (select "allowChange" from mo)
       returning (xmax <> 0) as changed
     ), audit as (
       insert into audit_log (at, actor_principal_id, action, subject_type, subject_id, details)
       select $4, $6, 'vote.cast', 'motion', $1::text, jsonb_build_object('memberId', $2::int, 'choice', $3::text)
         from v
     ), p as (
       insert into ballot_participation (motion_id, member_id) select $1, $2 from open where ballot = 'secret'
       on conflict do nothing returning 1
     ), box as (
       insert into ballot_box (motion_id, choice, kept) select $1, $3, $5::int[] from p
     )
     select mo.*, exists (select 1 from open) as open,
            exists (select 1 from v) or exists (select 1 from p) as took,
            coalesce((select changed from v), false) as changed
       from mo`,
    [b.motionId, b.memberId, b.choice, b.at, b.kept, b.principalId, CHOICES],
  );
  if (!row) return undefined;
  const { entry, allowed, open, took, changed, ...motion } = row;
  return { motion, entry: entry ? reviveEntry(entry) : undefined, allowed, open, took, changed };
}

/** A motion and the voter's roll entry at its meeting, in one round trip (the vote's read). */
export async function findMotionForVote(
  sql: Sql,
  id: number,
  memberId: number,
): Promise<{ motion: Motion; entry: RollRow | undefined } | undefined> {
  const [row] = await sql.query<Motion & { entry: RollRow | null }>(
    `select ${columns('mo.')},
            (select row_to_json(e) from (${rollEntrySql('mt.id', 'mt.cell_id', MEETING_DATE_SQL('mt'), '$2')}) e)
              as entry
       from motions mo join meetings mt on mt.id = mo.meeting_id where mo.id = $1`,
    [id, memberId],
  );
  if (!row) return undefined;
  const { entry, ...motion } = row;
  return { motion, entry: entry ? reviveEntry(entry) : undefined };
}
