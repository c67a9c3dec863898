import { maybeOne, type Sql } from '../db/connect.ts';
import { batchedWrite, batchTable, inBatchOrder } from '../db/batched-write.ts';
import type { DecisionKind } from '../rules/meeting-rules.ts';
import { MEETING_DATE_SQL, reviveEntry, rollEntrySql, type RollRow } from './repository.ts';
import { votesOnlineSql } from './entitlement.ts';

import {
  DISCIPLINE_LABELS,
  type DisciplineChoice,
  formNotForProbationary,
  isDisciplineForm,
} from '../rules/discipline.ts';
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
  /**
   * Secret ballots: the room's paper ballots per choice, entered by the counting committee, kept
   * only until close (then replaced by the totals); never shown.
   */
  roomCounts: Record<string, number>;
  countingCommittee: string | null;
  /** Secret ballots: the room's paper count entered, declared none, or not yet (null). */
  paperBallots: 'counted' | 'none' | null;
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

/**
 * What a refused choice is told: the motion's choices, and for a discipline form left off
 * the ballot (the member is probationary) why — rule: rules.md §3.
 */
export function notAChoice(motion: Pick<Motion, 'kind' | 'options'>, choice: string): string {
  const choices = motionChoices(motion);
  const list = `Lựa chọn phải là: ${choices.map(choiceLabel).join(', ')}.`;
  return motion.kind === 'discipline' && isDisciplineForm(choice)
    ? `${formNotForProbationary(choice, choices)} ${list}`
    : list;
}

export interface MotionResult {
  /** For / against / abstain (discipline: for any form / none); an election has its sheet instead. */
  for?: number;
  against?: number;
  abstain?: number;
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
  /**
   * Open ballots only: votes from chat and hands in the room, apart, so the addition is shown.
   * A secret ballot's counts are never split by channel (issue 26).
   */
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
  ${t}previous_round_id as "previousRoundId",
  case when ${t}paper_none then 'none' when ${t}counting_committee is not null then 'counted' end as "paperBallots"`;
const COLUMNS = columns();

export async function findMotion(sql: Sql, id: number, lock = false): Promise<Motion | undefined> {
  return maybeOne<Motion>(sql, `select ${COLUMNS} from motions where id = $1 ${lock ? 'for update' : ''}`, [id]);
}

export async function listMotions(sql: Sql, meetingId: number): Promise<Motion[]> {
  return sql.query<Motion>(`select ${COLUMNS} from motions where meeting_id = $1 order by id`, [meetingId]);
}

/**
 * Votes cast in chat (by choice): the open-ballot rows; of a secret motion, only ballots in clear
 * from before encryption (migration 110) — encrypted ones are counted by sealed-ballots.ts.
 */
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
          `select choice, count(*)::int as n from ballot_box
            where motion_id = $1 and choice is not null group by choice`,
          [motion.id],
        );
  const tally: Record<string, number> = Object.fromEntries(motionChoices(motion).map((c) => [c, 0]));
  for (const r of rows) tally[r.choice] = r.n;
  return tally;
}

export interface ChatBallot {
  motionId: number;
  memberId: number;
  /** An open ballot's choice; '' for a secret ballot, whose choice never leaves the service in clear. */
  choice: string;
  /** A secret ballot: its ciphertexts and proofs (JSON, ballot-crypto.ts) and its tracker; else null. */
  sealed: { ballot: string; tracker: string } | null;
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
export const recordChatBallot = batchedWrite<ChatBallot, ChatBallotOutcome | undefined>({
  key: (b) => `${b.motionId}:${b.memberId}`,
  async run(sql, batch) {
    const rows = await sql.query<
      Motion & { n: number; entry: RollRow | null; allowed: boolean; open: boolean; took: boolean; changed: boolean }
    >(CHAT_BALLOT_SQL, [
      batch.map((b) => b.motionId),
      batch.map((b) => b.memberId),
      batch.map((b) => b.choice),
      batch.map((b) => b.at),
      batch.map((b) => b.sealed?.ballot ?? null),
      batch.map((b) => b.sealed?.tracker ?? null),
      batch.map((b) => b.principalId),
      CHOICES,
    ]);
    return inBatchOrder(batch.length, rows).map((row) => {
      if (!row) return undefined;
      const { n, entry, allowed, open, took, changed, ...motion } = row;
      return { motion, entry: entry ? reviveEntry(entry) : undefined, allowed, open, took, changed };
    });
  },
});

/**
 * The ballots of a batch (db/batched-write.ts), each read, checked and written for itself.
 * Written in (motion, member) order, so concurrent batches take their rows' locks in one
 * order; a batch's secret ballots go into the box in random order, so a ballot's place says
 * nothing of whose it is.
 */
const CHAT_BALLOT_SQL = `with i as (
    ${batchTable({
      motion_id: 'int',
      member_id: 'int',
      choice: 'text',
      at: 'timestamptz',
      sealed: 'text', // a secret ballot, encrypted (JSON)
      tracker: 'text',
      principal_id: 'int',
    })}
  ), mo as (
    select i.n, ${columns('mo.')}, row_to_json(e) as entry,
           ${votesOnlineSql('e')}
           and case when mo.ballot = 'secret' then i.sealed is not null
                    else i.sealed is null and i.choice = any(coalesce(mo.options, $8::text[])) end as allowed
      from i join motions mo on mo.id = i.motion_id join meetings mt on mt.id = mo.meeting_id
      left join lateral (${rollEntrySql('mt.id', 'mt.cell_id', MEETING_DATE_SQL('mt'), 'i.member_id')}) e on true
  ), open as (
    select mo.n, mo.ballot from motions m join mo on mo.id = m.id and mo.allowed
     where m.status = 'open' for share of m
  ), v as (
    insert into votes (motion_id, member_id, choice, cast_at)
    select i.motion_id, i.member_id, i.choice, i.at from i join open using (n) where open.ballot = 'open'
     order by i.motion_id, i.member_id
    on conflict (motion_id, member_id) do update set choice = excluded.choice, cast_at = excluded.cast_at
      where (select mo."allowChange" from mo where mo.id = excluded.motion_id limit 1)
    returning motion_id, member_id, (xmax <> 0) as changed
  ), voted as (
    select i.*, v.changed from v join i using (motion_id, member_id)
  ), audit as (
    insert into audit_log (at, actor_principal_id, action, subject_type, subject_id, details)
    select at, principal_id, 'vote.cast', 'motion', motion_id::text,
           jsonb_build_object('memberId', member_id, 'choice', choice)
      from voted
  ), p as (
    insert into ballot_participation (motion_id, member_id)
    select i.motion_id, i.member_id from i join open using (n) where open.ballot = 'secret'
     order by i.motion_id, i.member_id
    on conflict do nothing returning motion_id, member_id
  ), secret as (
    select i.* from p join i using (motion_id, member_id)
  ), box as (
    insert into ballot_box (motion_id, tracker, ballot)
    select motion_id, tracker, sealed::jsonb from secret order by random()
  )
  select mo.*, exists (select 1 from open where open.n = mo.n) as open,
         exists (select 1 from voted where voted.n = mo.n) or exists (select 1 from secret where secret.n = mo.n)
           as took,
         coalesce((select changed from voted where voted.n = mo.n), false) as changed
    from mo`;

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

/** Of these motions, the ones whose vote is over (their buttons in old messages lead nowhere). */
export async function findClosedMotionIds(sql: Sql, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await sql.query<{ id: number }>(
    `select id from motions where id = any($1::int[]) and status <> 'open'`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}
