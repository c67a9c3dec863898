import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Sql } from '../db/connect.ts';
import { AppError, notFound } from '../errors.ts';
import { enqueueForOrgGroups } from '../outbox/enqueue.ts';
import { loadRollEntry, type Meeting } from './repository.ts';
import { meetingDate } from './meeting-date.ts';
import { findMotion, type Motion } from './motions.ts';
import { requireMeeting } from './require-meeting.ts';
import { startMotion } from './open-motion.ts';
import { getAttendanceView } from './get-attendance-view.ts';
import { CONGRESS_QUORUM, DECISIONS, ELECTION_SURPLUS, ELECTION_SURPLUS_FLOOR } from '../rules/meeting-rules.ts';
import { DEFAULT_WORDS, defaultNote, versionInForce } from '../rules/rule.ts';
import { describeFraction, needed, reaches } from '../rules/vote-math.ts';

export const ELECTION_BODIES = ['committee', 'secretary', 'deputy', 'delegates'] as const;
export type ElectionBody = (typeof ELECTION_BODIES)[number];
export const ELECTION_BODY_LABELS: Record<ElectionBody, string> = {
  committee: 'Bầu chi ủy',
  secretary: 'Bầu bí thư',
  deputy: 'Bầu phó bí thư',
  delegates: 'Bầu đại biểu dự đại hội cấp trên',
};
export const NOMINATIONS = ['committee', 'nominated', 'self'] as const;
export type Nomination = (typeof NOMINATIONS)[number];

export interface Candidate {
  memberId: number;
  fullName: string;
  nominatedBy: Nomination;
}

/**
 * The secretary opens an election: what is elected, the seats, and the candidate list
 * (proposed by the committee, nominated, or self-nominated). Always a secret ballot
 * (QĐ 190-QĐ/TW 2024); each ballot keeps up to `seats` names and crosses out the rest.
 */
export async function openElection(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: {
    meetingId: number;
    body: ElectionBody;
    title: string;
    seats: number;
    candidates: { memberId: number; nominatedBy: Nomination }[];
  },
): Promise<Motion & { candidates: Candidate[] }> {
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, {
      role: CAN.runMeetings,
      status: ['in_progress'],
      statusMessage: 'Chỉ bầu cử được khi buổi họp đang diễn ra.',
    });
    await assertCongressQuorum(sql, meeting);
    const id = await insertElection(sql, meeting, { ...input, round: 1, previousRoundId: null }, deps.clock.now());
    for (const c of input.candidates) await addCandidate(sql, meeting, id, c.memberId, c.nominatedBy);
    await checkList(sql, meeting, id, input.seats);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'election.opened',
      subjectType: 'motion',
      subjectId: id,
      details: { meetingId: meeting.id, body: input.body, seats: input.seats, candidates: input.candidates },
      at: deps.clock.now(),
    });
    return { ...(await findMotion(sql, id))!, candidates: await listCandidates(sql, id) };
  });
}

/** Adds a nominee or self-nominee, or withdraws a candidate — only before the first ballot. */
export async function changeCandidate(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { motionId: number; memberId: number; nominatedBy?: Nomination; withdraw?: boolean },
): Promise<{ candidates: Candidate[]; introduction?: Motion }> {
  return deps.db.tx(async (sql) => {
    const motion = await findMotion(sql, input.motionId, true);
    if (motion?.kind !== 'election') throw notFound('cuộc bầu cử');
    // A member may nominate themselves; anything else is the secretary's.
    const self = input.nominatedBy === 'self' && actor.memberId === input.memberId && !input.withdraw;
    const meeting = await requireMeeting(sql, actor, motion.meetingId, {
      role: self ? undefined : CAN.runMeetings,
      status: ['in_progress'],
    });
    if (motion.status !== 'open') throw new AppError('conflict', 'Cuộc bầu cử đã kết thúc.');
    const [{ n }] = await sql.query<{ n: number }>(
      `select count(*)::int as n from ballot_participation where motion_id = $1`,
      [motion.id],
    );
    // Voting has started once a ballot is cast, or the room's paper count (or its absence) recorded.
    if (n > 0 || motion.paperBallots)
      throw new AppError('conflict', 'Đã bắt đầu bỏ phiếu: danh sách ứng cử không thay đổi được nữa.');
    const nominatedBy = input.nominatedBy ?? 'nominated';
    let introduction: Motion | undefined;
    if (input.withdraw) {
      const rows = await sql.query(
        `update election_candidates set withdrawn_at = $3 where motion_id = $1 and member_id = $2
          and withdrawn_at is null returning 1`,
        [motion.id, input.memberId, deps.clock.now()],
      );
      if (!rows.length) throw new AppError('validation', 'Đồng chí này không có trong danh sách ứng cử.');
    } else if (nominatedBy === 'committee') {
      await addCandidate(sql, meeting, motion.id, input.memberId, nominatedBy);
      await checkList(sql, meeting, motion.id, motion.seats ?? 1);
    } else {
      introduction = await openIntroduction(sql, deps.clock.now(), actor, meeting, motion, input.memberId, nominatedBy);
    }
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: input.withdraw ? 'election.withdrawn' : 'election.nominated',
      subjectType: 'motion',
      subjectId: motion.id,
      details: { memberId: input.memberId, nominatedBy: input.nominatedBy ?? null },
      at: deps.clock.now(),
    });
    return { candidates: await listCandidates(sql, motion.id), introduction };
  });
}

/**
 * A nominee the convening committee did not propose: an introduction ballot opens, and the
 * nominee is on the list once more than 30 % of those attending agree (close-motion.ts) —
 * rule: QĐ 190-QĐ/TW 2024, Điều 14; rules.md §8.
 */
async function openIntroduction(
  sql: Sql,
  now: Date,
  actor: Principal,
  meeting: Meeting,
  election: Motion,
  memberId: number,
  nominatedBy: Nomination,
): Promise<Motion> {
  const rule = versionInForce(DECISIONS.introduction, meetingDate(meeting.startsAt)).value;
  const nominee = await loadRollEntry(sql, meeting, meetingDate(meeting.startsAt), memberId);
  const { id } = await startMotion(sql, now, actor, meeting, {
    kind: 'introduction',
    title: `Giới thiệu đồng chí ${nominee?.fullName ?? ''} vào danh sách bầu cử: ${election.title}`,
    ballot: rule.ballot === 'open' ? 'open' : 'secret',
    allowChange: false,
    options: null,
    subjectMemberId: memberId,
  });
  await addCandidate(sql, meeting, election.id, memberId, nominatedBy, id);
  await checkList(sql, meeting, election.id, election.seats ?? 1);
  return (await findMotion(sql, id))!;
}

/** The list: candidates not withdrawn, a nominee only once the meeting agreed to introduce them. */
export async function listCandidates(sql: Sql, motionId: number): Promise<Candidate[]> {
  return sql.query<Candidate>(
    `select c.member_id as "memberId", m.full_name as "fullName", c.nominated_by as "nominatedBy"
       from election_candidates c join members m on m.id = c.member_id
      where c.motion_id = $1 and c.withdrawn_at is null
        and (c.introduction_motion_id is null or exists (select 1 from motions i
          where i.id = c.introduction_motion_id and i.status = 'closed' and (i.result->>'passed')::boolean))
      order by m.full_name, m.id`,
    [motionId],
  );
}

/** Nominees whose introduction ballot is still open: the list is not settled until they are decided. */
export async function countPendingNominees(sql: Sql, motionId: number): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(
    `select count(*)::int as n from election_candidates c join motions i on i.id = c.introduction_motion_id
      where c.motion_id = $1 and c.withdrawn_at is null and i.status = 'open'`,
    [motionId],
  );
  return n;
}

/** An election's ballots wait until every nominee's introduction is decided. */
export async function assertListSettled(sql: Sql, motion: Pick<Motion, 'id' | 'kind'>) {
  if (motion.kind === 'election' && (await countPendingNominees(sql, motion.id)) > 0)
    throw new AppError(
      'conflict',
      'Còn biểu quyết giới thiệu người ứng cử chưa kết thúc: danh sách bầu cử chưa chốt, chưa bỏ phiếu bầu được.',
    );
}

/** Inserts an election motion (a first or a further round). */
export async function insertElection(
  sql: Sql,
  meeting: Meeting,
  e: { body: ElectionBody; title: string; seats: number; round: number; previousRoundId: number | null },
  now: Date,
): Promise<number> {
  const [{ id }] = await sql.query<{ id: number }>(
    `insert into motions (meeting_id, kind, title, ballot, opened_at, seats, election_body, round, previous_round_id)
     values ($1, 'election', $2, 'secret', $3, $4, $5, $6, $7) returning id`,
    [meeting.id, e.title.trim(), now, e.seats, e.body, e.round, e.previousRoundId],
  );
  await enqueueForOrgGroups(
    sql,
    meeting.cellId,
    {
      text:
        `🗳 ${ELECTION_BODY_LABELS[e.body]}${e.round > 1 ? ` (vòng ${e.round})` : ''}` +
        `: ${e.title.trim()}. Bỏ phiếu kín.`,
    },
    { kind: 'election.opened', refType: 'motion', refId: id, dedupePrefix: `motion:${id}:opened` },
  );
  return id;
}

// rule: standing for election — probationary members do not stand (Điều lệ Điều 3); candidates are on the roll
export async function addCandidate(
  sql: Sql,
  meeting: Meeting,
  motionId: number,
  memberId: number,
  by: Nomination,
  introductionMotionId: number | null = null,
) {
  const entry = await loadRollEntry(sql, meeting, meetingDate(meeting.startsAt), memberId);
  if (!entry || entry.transferredIn)
    throw new AppError('validation', 'Người ứng cử phải là đảng viên của chi bộ.', { field: 'candidates' });
  if (entry.status === 'probationary')
    throw new AppError('validation', `Đảng viên dự bị không ứng cử (Điều lệ Đảng, Điều 3): ${entry.fullName}.`, {
      field: 'candidates',
    });
  await sql.query(
    `insert into election_candidates (motion_id, member_id, nominated_by, introduction_motion_id)
     values ($1, $2, $3, $4)
     on conflict (motion_id, member_id) do update set withdrawn_at = null, nominated_by = excluded.nominated_by,
       introduction_motion_id = excluded.introduction_motion_id`,
    [motionId, memberId, by, introductionMotionId],
  );
}

/**
 * The list has at least as many candidates as seats, and its surplus (nominees awaiting their
 * introduction counted) is at most 30 % of the seats — or one person, a default setting, where
 * 30 % is less: rule: QĐ 190-QĐ/TW 2024, Điều 14; rules.md §8.
 */
async function checkList(sql: Sql, meeting: Meeting, motionId: number, seats: number) {
  const listed = (await listCandidates(sql, motionId)).length;
  const size = listed + (await countPendingNominees(sql, motionId));
  if (listed < seats)
    throw new AppError('validation', `Cần ít nhất ${seats} người ứng cử cho ${seats} suất.`, { field: 'candidates' });
  const date = meetingDate(meeting.startsAt);
  const max = versionInForce(ELECTION_SURPLUS, date);
  const floor = versionInForce(ELECTION_SURPLUS_FLOOR, date);
  const byShare = needed(seats, { ...max.value, strict: true }) - 1;
  const allowed = Math.max(byShare, floor.value);
  const surplus = size - seats;
  if (surplus <= allowed) return;
  const share = `${Math.round((100 * surplus) / seats)} %`;
  const floorNote =
    byShare < floor.value
      ? `; với ít suất, được dư ít nhất ${floor.value} người` +
        (floor.confidence === 'unconfirmed' ? `: ${DEFAULT_WORDS}` : '')
      : '';
  throw new AppError(
    'validation',
    `Danh sách ${size} người cho ${seats} suất: số dư ${surplus} (${share}) vượt mức tối đa ` +
      `${describeFraction({ ...max.value, strict: true })} số lượng cần bầu ` +
      `(tối đa ${allowed} người, tức ${seats + allowed} người ứng cử${floorNote}) — ${max.source}.`,
    { field: 'candidates' },
  );
}

/**
 * A meeting that elects is a congress: valid when more than 2/3 of those summoned attend —
 * rule: rules.md §2 [unconfirmed — a setting, default more than 2/3], CONGRESS_QUORUM.
 */
async function assertCongressQuorum(sql: Sql, meeting: Meeting) {
  const view = await getAttendanceView(sql, meeting);
  const rule = versionInForce(CONGRESS_QUORUM, meetingDate(meeting.startsAt));
  if (reaches(view.presentInBase, view.voteBase.base, rule.value)) return;
  throw new AppError(
    'conflict',
    `Đại hội chưa hợp lệ để bầu cử: ${view.presentInBase}/${view.voteBase.base} đảng viên được triệu tập có mặt, ` +
      `cần ${describeFraction(rule.value)} (tối thiểu ${needed(view.voteBase.base, rule.value)})${defaultNote(rule)}.`,
  );
}
