import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Sql } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { DECISIONS } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { describeFraction, needed, reaches } from '../rules/vote-math.ts';
import { enqueueForMembers, enqueueForOrgGroups } from '../outbox/enqueue.ts';
import { meetingDate } from './meeting-date.ts';
import { getAttendanceView } from './get-attendance-view.ts';
import {
  chatTally,
  choiceLabel,
  motionChoices,
  type ElectionResult,
  type Motion,
  type MotionResult,
} from './motions.ts';
import { decideDiscipline, DISCIPLINE, NO_DISCIPLINE } from '../rules/discipline.ts';
import { findMember } from '../members/repository.ts';
import { decideElection } from '../rules/elections.ts';
import { attendsInRoom, whyNotEntitled } from './entitlement.ts';
import { motionThreshold, PAPER_WHERE, paperMissing, paperState } from './motion-progress.ts';
import { ELECTION_ROUNDS } from '../rules/meeting-rules.ts';
import {
  addCandidate,
  ELECTION_BODY_LABELS,
  insertElection,
  listCandidates,
  type ElectionBody,
} from './open-election.ts';
import type { Meeting } from './repository.ts';
import { VOTE_KIND_LABELS } from './open-motion.ts';
import { requireOpenMotion } from './require-meeting.ts';
import { recognitionOutcome } from './recognition.ts';
import { tallySealedBallots } from './sealed-ballots.ts';
import { signLink } from '../http/signed-link.ts';

/**
 * Closes a motion and decides it against the threshold in force on the meeting's date and
 * the vote base at that moment; the result is stored, posted to the cell's group and sent
 * to every member who could vote on it, on each of their chats. Closing with fewer votes
 * than the threshold needs asks for confirmation first, and the confirmation is audited.
 */
export async function closeMotion(
  deps: Pick<Deps, 'db' | 'clock' | 'linkSecret' | 'config'>,
  actor: Principal,
  motionId: number,
  options: { confirm?: boolean } = {},
): Promise<MotionResult & { text: string }> {
  const closed = await deps.db.tx(async (sql) => {
    const { motion, meeting } = await requireOpenMotion(sql, actor, motionId);
    const view = await getAttendanceView(sql, meeting);
    const date = meetingDate(meeting.startsAt);
    const { base, byAttending, baseExplanation } = motionThreshold(motion, view, date);
    const secret = motion.ballot === 'secret';
    // A secret ballot held in the room is decided with the room's paper count, or with the statement that
    // nobody there voted on paper — never with the online ballots alone (issue 24).
    const inRoom = view.roll.filter((r) => !whyNotEntitled(r) && attendsInRoom(r)).length;
    if (paperState(motion, meeting, inRoom) === 'missing') {
      throw new AppError(
        'conflict',
        `Chưa kết thúc được: ${paperMissing(inRoom)}. Ban kiểm phiếu nhập ${PAPER_WHERE}; ` +
          'nếu tại phòng họp không ai bỏ phiếu giấy, chọn "Không có phiếu giấy".',
        { data: { paperMissing: true, motionId: motion.id } },
      );
    }
    // Open votes; of a secret motion, only ballots cast in clear before they were encrypted (migration 110).
    const chat = await chatTally(sql, motion);
    // A secret motion's encrypted ballots and its encrypted paper count, decrypted only as totals (issue 28).
    const sealed = secret ? await tallySealedBallots(sql, motion, motion.roomCounts) : null;
    // An election's paper ballots count once each as ballots; their names are counted in decideElectionMotion.
    const room = motion.kind === 'election' ? { ballot: motion.roomCounts.received ?? 0 } : roomTally(motion);
    const counts = Object.fromEntries(
      motionChoices(motion).map((c) => [c, (chat[c] ?? 0) + (sealed ? (sealed.totals[c] ?? 0) : (room[c] ?? 0))]),
    );
    const chatBallots = sum(chat) + (sealed?.ballots ?? 0);
    const roomBallots = sum(room);
    const cast = chatBallots + roomBallots;
    const result =
      motion.kind === 'election'
        ? await decideElectionMotion(sql, {
            motion,
            sealed: sealed ?? { totals: {}, ballots: 0 },
            meeting,
            base,
            date,
            attending: view.presentInBase,
            now: deps.clock.now(),
          })
        : motion.kind === 'discipline'
          ? await decideDisciplineMotion(sql, motion, counts, base, date)
          : decideMotion(motion, counts, base, date);
    // An election's result is its sheet: no for/against. A secret ballot's counts are never split by channel
    // (the paper count and the total would give the online ballots' choices: issue 26).
    Object.assign(
      result,
      { baseExplanation },
      motion.kind === 'election' ? {} : { counts },
      secret ? {} : { chatBallots, roomBallots },
    );
    // Safeguard (issue 16.5): a motion that cannot pass for lack of votes is closed only when confirmed.
    if (cast < result.needed && !options.confirm) {
      throw new AppError(
        'conflict',
        `Mới có ${cast} phiếu, ít hơn ${result.needed} phiếu cần để thông qua (${result.threshold} của ${base}). ` +
          'Nếu vẫn kết thúc biểu quyết, hãy xác nhận.',
        { data: { confirmationRequired: true, cast, needed: result.needed, motionId: motion.id } },
      );
    }
    const countsLine = result.election
      ? electionLines(result.election)
      : motion.kind === 'discipline'
        ? `${motionChoices(motion)
            .map((c) => `${choiceLabel(c)} ${counts[c]}`)
            .join(', ')}.\n${result.explanation}`
        : `Tán thành ${counts.for}, không tán thành ${counts.against}, không biểu quyết ${counts.abstain}.`;
    const kindLabel = motion.electionBody
      ? ELECTION_BODY_LABELS[motion.electionBody as ElectionBody]
      : VOTE_KIND_LABELS[motion.kind];
    const text =
      `Kết quả — ${kindLabel}: ${motion.title}` +
      `\n${countsLine}\n` +
      (!secret && roomBallots ? `Số phiếu: ${chatBallots} qua chat + ${roomBallots} tại phòng họp = ${cast}.\n` : '') +
      (byAttending
        ? `Cần ${result.threshold} của ${base} đảng viên có mặt (tối thiểu ${result.needed}).\n`
        : `Cần ${result.threshold} của ${base} (tối thiểu ${result.needed}). ${view.voteBase.explanation}.\n`) +
      (result.election ? '' : result.passed ? '✅ THÔNG QUA.' : '❌ KHÔNG THÔNG QUA.') +
      (await subjectOutcome(sql, motion, result.passed, date)) +
      (sealed ? `\n${boardLine(deps, motion.id)}` : '');
    const now = deps.clock.now();
    // The paper counts (a secret ballot's room subtotal) give way to the totals in the result.
    await sql.query(
      `update motions set status = 'closed', closed_at = $2, result = $3::jsonb,
              room_counts = case when ballot = 'secret' then '{}'::jsonb else room_counts end
        where id = $1`,
      [motion.id, now, JSON.stringify(result)],
    );
    const voters = secret ? await sealBallotBox(sql, motion) : await openVoters(sql, motion);
    const entitled = view.roll.filter((r) => inBase(r) && r.present).map((r) => r.memberId);
    const meta = {
      kind: 'motion.closed',
      refType: 'motion',
      refId: motion.id,
      dedupePrefix: `motion:${motion.id}:closed`,
    };
    await enqueueForOrgGroups(sql, meeting.cellId, { text }, meta);
    // Everyone who could vote on it hears the result, on every chat they linked (web chat included).
    await enqueueForMembers(
      sql,
      [...new Set([...entitled, ...voters])].sort((a, b) => a - b),
      { text },
      meta,
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'motion.closed',
      subjectType: 'motion',
      subjectId: motion.id,
      details: { ...result, ballots: cast, confirmedShort: cast < result.needed },
      at: now,
    });
    return { ...result, text: text.trimEnd(), secret };
  });
  const { secret, ...out } = closed;
  if (secret) await vacuumBallotBox(deps.db);
  return out;
}

/**
 * Deleted row versions stay in the table's pages until VACUUM; vacuum the two ballot tables,
 * and the motions (whose old version held the paper counts), now instead of waiting for
 * autovacuum. Best effort: skipped when another vacuum holds the table, and it cannot remove
 * versions an older snapshot still sees (README, Security).
 */
async function vacuumBallotBox(db: Deps['db']) {
  await db.exec('vacuum (skip_locked) ballot_box, ballot_participation, motions').catch(() => {});
}

/** Where each voter finds their tracker, and anyone gets the board to verify (a link for the cell's chats). */
function boardLine(deps: Pick<Deps, 'clock' | 'linkSecret' | 'config'>, motionId: number): string {
  const base = deps.config.publicUrl ?? `http://localhost:${deps.config.port}`;
  const expires = new Date(deps.clock.now().getTime() + BOARD_LINK_DAYS * 86_400_000);
  return (
    `Bảng kiểm phiếu công khai (phiếu đã mã hóa, mỗi đồng chí tìm mã phiếu của mình; ai cũng kiểm tra lại ` +
    `được tổng số): ${base}/b/${signLink(deps.linkSecret, 'ballot-board', [motionId], expires)}`
  );
}

/** How long the board's link opens (the board itself stays; the API serves it to the cell). */
const BOARD_LINK_DAYS = 90;

const sum = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);

/** What the result means for the member a motion is about: a nominee's place on the list, a recognition. */
async function subjectOutcome(sql: Sql, motion: Motion, passed: boolean, date: string): Promise<string> {
  const subject = motion.subjectMemberId ? await findMember(sql, motion.subjectMemberId) : undefined;
  if (!subject) return '';
  if (motion.kind === 'introduction')
    return `\nĐồng chí ${subject.fullName} ${passed ? 'được' : 'không được'} đưa vào danh sách bầu cử.`;
  if (motion.kind === 'recognition') return `\n${await recognitionOutcome(sql, subject, passed, date)}`;
  return '';
}

/** The room's counts: the show of hands of an open ballot, or the paper ballots of a secret one. */
function roomTally(motion: Motion): Record<string, number> {
  if (motion.ballot === 'secret') return motion.roomCounts;
  return { for: motion.roomFor, against: motion.roomAgainst, abstain: motion.roomAbstain };
}

function decideMotion(motion: Motion, counts: Record<string, number>, base: number, date: string): MotionResult {
  const rule = versionInForce(DECISIONS[motion.kind], date);
  return {
    for: counts.for ?? 0,
    against: counts.against ?? 0,
    abstain: counts.abstain ?? 0,
    base,
    baseExplanation: '',
    threshold: describeFraction(rule.value.threshold),
    needed: needed(base, rule.value.threshold),
    // rule: thresholds — rules.md §3 (ties fail: a tie is never "more than half")
    passed: base > 0 && reaches(counts.for ?? 0, base, rule.value.threshold),
    source: rule.source,
  };
}

// rule: discipline — one secret ballot over the forms, cumulative from the heaviest (QĐ 22 Đ15, QĐ 296; rules.md §3)
async function decideDisciplineMotion(
  sql: Sql,
  motion: Motion,
  counts: Record<string, number>,
  base: number,
  date: string,
): Promise<MotionResult> {
  const subject = motion.subjectMemberId ? await findMember(sql, motion.subjectMemberId) : undefined;
  const outcome = decideDiscipline(counts, base, date, subject?.status === 'probationary');
  const majority = versionInForce(DECISIONS.discipline, date);
  const none = counts[NO_DISCIPLINE] ?? 0;
  return {
    for: sum(counts) - none,
    against: none,
    abstain: 0,
    base,
    baseExplanation: '',
    threshold: describeFraction(majority.value.threshold),
    needed: needed(base, majority.value.threshold),
    passed: outcome.adopted !== null,
    source: versionInForce(DISCIPLINE, date).source,
    explanation: outcome.explanation,
    adopted: outcome.adopted,
  };
}

// rule: elections — more than 1/2 of those summoned, within the seats, highest first (QĐ 190-QĐ/TW 2024; rules.md §8)
async function decideElectionMotion(
  sql: Sql,
  c: {
    motion: Motion;
    sealed: { totals: Record<string, number>; ballots: number };
    meeting: Meeting;
    base: number;
    date: string;
    attending: number;
    now: Date;
  },
): Promise<MotionResult> {
  const { motion, base, date } = c;
  const rule = versionInForce(DECISIONS.election, date);
  // Ballots cast in clear before encryption (migration 110), counted as before.
  const [{ legacy }] = await sql.query<{ legacy: number }>(
    `select count(*)::int as legacy from ballot_box where motion_id = $1 and ballot is null`,
    [motion.id],
  );
  const kept = await sql.query<{ candidate: number; n: number }>(
    `select k as candidate, count(*)::int as n from ballot_box, unnest(kept) k
      where motion_id = $1 and ballot is null group by k`,
    [motion.id],
  );
  const ballots = legacy + c.sealed.ballots;
  const candidates = await listCandidates(sql, motion.id);
  const seats = motion.seats ?? 1;
  // The decrypted totals hold the chat ballots and the room's paper ballots (counted by the counting committee).
  const paper = motion.roomCounts;
  const votes = new Map(candidates.map((x) => [x.memberId, c.sealed.totals[String(x.memberId)] ?? 0]));
  for (const k of kept) votes.set(k.candidate, (votes.get(k.candidate) ?? 0) + k.n);
  const outcome = decideElection(
    votes,
    candidates.map((x) => x.memberId),
    base,
    seats,
    rule.value.threshold,
  );
  const name = new Map(candidates.map((x) => [x.memberId, x.fullName]));
  let furtherRound: ElectionResult['furtherRound'] = null;
  if (outcome.furtherRound) {
    const fr = outcome.furtherRound;
    // rule: a further round among the tied or not yet elected — a setting, default one more round [unconfirmed]
    const more = motion.round < versionInForce(ELECTION_ROUNDS, date).value.maxRounds;
    const nextId = more
      ? await insertElection(
          sql,
          c.meeting,
          {
            body: motion.electionBody as ElectionBody,
            title: motion.title,
            seats: fr.seats,
            round: motion.round + 1,
            previousRoundId: motion.id,
          },
          c.now,
        )
      : null;
    if (nextId) for (const id of fr.candidates) await addCandidate(sql, c.meeting, nextId, id, 'committee');
    furtherRound = {
      motionId: nextId,
      seats: fr.seats,
      reason: fr.reason,
      candidates: fr.candidates.map((id) => name.get(id)!),
    };
  }
  const election: ElectionResult = {
    summoned: base,
    attending: c.attending,
    ballotsIssued: ballots + (paper.issued ?? 0),
    ballotsReceived: ballots + (paper.received ?? 0),
    valid: ballots + (paper.received ?? 0) - (paper.invalid ?? 0),
    invalid: paper.invalid ?? 0,
    seats,
    candidates: outcome.ranking.map((r) => ({
      memberId: r.candidate,
      fullName: name.get(r.candidate)!,
      votes: r.votes,
      share: base > 0 ? `${((100 * r.votes) / base).toFixed(1).replace('.', ',')} %` : '—',
      elected: outcome.elected.includes(r.candidate),
    })),
    elected: outcome.elected.map((id) => name.get(id)!),
    furtherRound,
  };
  return {
    base,
    baseExplanation: '',
    threshold: describeFraction(rule.value.threshold),
    needed: needed(base, rule.value.threshold),
    passed: outcome.elected.length > 0,
    source: rule.source,
    election,
  };
}

/** The result sheet's lines (biên bản kiểm phiếu), in chat and in the minutes. */
export function electionLines(e: ElectionResult): string {
  return [
    `Số được triệu tập ${e.summoned}, có mặt ${e.attending}; phiếu phát ra ${e.ballotsIssued}, ` +
      `thu về ${e.ballotsReceived}, hợp lệ ${e.valid}, không hợp lệ ${e.invalid}.`,
    ...e.candidates.map(
      (x, i) =>
        `${i + 1}. ${x.fullName}: ${x.votes} phiếu (${x.share} số được triệu tập)${x.elected ? ' — trúng cử' : ''}`,
    ),
    e.elected.length
      ? `Trúng cử (${e.elected.length}/${e.seats} suất, chờ cấp ủy cấp trên chuẩn y): ${e.elected.join(', ')}.`
      : `Chưa ai trúng cử (${e.seats} suất).`,
    ...(e.furtherRound
      ? [
          `${e.furtherRound.reason === 'tie' ? 'Bằng phiếu ở suất cuối' : 'Chưa bầu đủ số suất'}: ` +
            (e.furtherRound.motionId
              ? `bầu vòng tiếp theo ${e.furtherRound.seats} suất trong số: ${e.furtherRound.candidates.join(', ')}.`
              : 'đại hội quyết định bầu tiếp hay không.'),
        ]
      : []),
  ].join('\n');
}

const inBase = (r: { status: string; transferredIn: boolean; suspended: boolean; transferredOut: boolean }) =>
  r.status === 'official' && !r.transferredIn && !r.suspended && !r.transferredOut;

async function openVoters(sql: Sql, motion: Motion): Promise<number[]> {
  const rows = await sql.query<{ id: number }>(`select member_id as id from votes where motion_id = $1`, [motion.id]);
  return rows.map((r) => r.id);
}

/**
 * The secret ballot box is rewritten at close, in this one transaction: ballots in clear from
 * before encryption (counted above) are deleted, and every participation row is deleted and written
 * again sorted by member. Afterwards every surviving row about this ballot carries this
 * transaction's xmin and no order but the members' — nothing links a voter to a choice.
 */
async function sealBallotBox(sql: Sql, motion: Motion): Promise<number[]> {
  // Ballots in clear from before encryption go; the encrypted ones stay: they are the motion's board.
  await sql.query(`delete from ballot_box where motion_id = $1 and ballot is null`, [motion.id]);
  const gone = await sql.query<{ id: number }>(
    `delete from ballot_participation where motion_id = $1 returning member_id as id`,
    [motion.id],
  );
  const ids = gone.map((r) => r.id).sort((a, b) => a - b);
  await sql.query(
    `insert into ballot_participation (motion_id, member_id) select $1, m from unnest($2::int[]) m order by m`,
    [motion.id, ids],
  );
  return ids;
}
