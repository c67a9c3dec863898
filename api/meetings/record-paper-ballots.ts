import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import type { Sql } from '../db/connect.ts';
import { motionChoices, notAChoice, type Motion } from './motions.ts';
import { assertListSettled, listCandidates } from './open-election.ts';
import { countEntitledInRoom } from './entitlement.ts';
import { requireOpenMotion } from './require-meeting.ts';
import { listCounters } from './counting-committee.ts';

/**
 * A secret ballot in the room: members checked in in the room vote on paper, the counting
 * committee (ban kiểm phiếu) counts, and the secretary — or a member of the committee she
 * named — enters the counts per choice, or states that nobody in the room voted on paper. The
 * counts are capped by the entitled members in the room; members online vote in chat — nobody
 * twice. They are kept only until close, and no record (the audit log included) repeats them.
 */
export async function recordPaperBallots(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { motionId: number; counts?: Record<string, number>; countingCommittee?: string; none?: boolean },
): Promise<void> {
  await deps.db.tx(async (sql) => {
    const { motion, meeting } = await requireOpenMotion(
      sql,
      actor,
      input.motionId,
      'Chỉ bí thư hoặc ban kiểm phiếu do bí thư cử mới nhập số phiếu giấy.',
    );
    if (motion.ballot !== 'secret')
      throw new AppError('validation', 'Biểu quyết công khai tại phòng họp ghi bằng số giơ tay.');
    if (!input.none && !input.counts)
      throw new AppError('validation', 'Nhập số phiếu giấy theo từng lựa chọn, hoặc chọn "Không có phiếu giấy".', {
        field: 'counts',
      });
    const entitled = await countEntitledInRoom(sql, meeting);
    const counts = input.none
      ? {}
      : motion.kind === 'election'
        ? await checkElectionPaper(sql, motion, input.counts ?? {}, entitled)
        : checkMotionPaper(motion, input.counts ?? {}, entitled);
    const countingCommittee = input.none ? null : await committeeNames(sql, meeting.id, actor, input.countingCommittee);
    await sql.query(
      `update motions set room_counts = $2::jsonb, counting_committee = $3, paper_none = $4 where id = $1`,
      [motion.id, JSON.stringify(counts), countingCommittee, input.none ?? false],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'motion.paper_ballots',
      subjectType: 'motion',
      subjectId: motion.id,
      details: input.none ? { none: true } : { countingCommittee },
      at: deps.clock.now(),
    });
  });
}

/** Who counted: as typed, else the committee the secretary named, else whoever enters the count. */
async function committeeNames(sql: Sql, meetingId: number, actor: Principal, typed: string | undefined) {
  if (typed?.trim()) return typed.trim();
  const named = await listCounters(sql, meetingId);
  return named.length ? named.map((c) => c.fullName).join(', ') : actor.displayName;
}

/** A motion's paper ballots: a count per choice, together at most the entitled members in the room. */
function checkMotionPaper(motion: Motion, input: Record<string, number>, entitled: number): Record<string, number> {
  const choices = motionChoices(motion);
  const unknown = Object.keys(input).find((c) => !choices.includes(c));
  if (unknown) throw new AppError('validation', notAChoice(motion, unknown), { field: 'counts' });
  const total = Object.values(input).reduce((a, b) => a + b, 0);
  if (total > entitled) {
    throw new AppError(
      'validation',
      `Số phiếu giấy (${total}) vượt số đảng viên có quyền biểu quyết điểm danh tại phòng họp (${entitled}).`,
      { field: 'counts' },
    );
  }
  return Object.fromEntries(choices.map((c) => [c, input[c] ?? 0]));
}

/**
 * An election's paper ballots in the room (rules.md §8): ballots issued, received, invalid
 * (more names kept than seats, not the official form), and per candidate (by member id) the
 * valid ballots that kept the name.
 */
async function checkElectionPaper(
  sql: Sql,
  motion: Motion,
  counts: Record<string, number>,
  entitled: number,
): Promise<Record<string, number>> {
  await assertListSettled(sql, motion);
  const candidates = (await listCandidates(sql, motion.id)).map((c) => String(c.memberId));
  const bad = (message: string) => new AppError('validation', message, { field: 'counts' });
  const unknown = Object.keys(counts).filter((k) => !['issued', 'received', 'invalid', ...candidates].includes(k));
  if (unknown.length)
    throw bad(
      'Phiếu giấy: chỉ ghi số phát ra (issued), thu về (received), ' +
        'không hợp lệ (invalid) và số phiếu của từng người ứng cử.',
    );
  const issued = counts.issued ?? 0;
  const received = counts.received ?? 0;
  const invalid = counts.invalid ?? 0;
  if (issued > entitled)
    throw bad(`Số phiếu phát ra (${issued}) vượt số đảng viên có quyền bầu cử điểm danh tại phòng họp (${entitled}).`);
  if (received > issued) throw bad('Số phiếu thu về không thể nhiều hơn số phát ra.');
  if (invalid > received) throw bad('Số phiếu không hợp lệ không thể nhiều hơn số thu về.');
  const valid = received - invalid;
  const over = candidates.find((c) => (counts[c] ?? 0) > valid);
  if (over) throw bad(`Số phiếu của một người ứng cử (${counts[over]}) vượt số phiếu hợp lệ (${valid}).`);
  const marks = candidates.reduce((n, c) => n + (counts[c] ?? 0), 0);
  if (marks > valid * (motion.seats ?? 1))
    throw bad(`Tổng số tên được giữ (${marks}) vượt ${valid} phiếu hợp lệ × ${motion.seats} suất.`);
  return Object.fromEntries(['issued', 'received', 'invalid', ...candidates].map((k) => [k, counts[k] ?? 0]));
}
