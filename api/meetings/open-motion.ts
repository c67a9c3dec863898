import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { DECISIONS, type DecisionKind } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { enqueueForMembers, enqueueForOrgGroups } from '../outbox/enqueue.ts';
import { requireMeeting } from './require-meeting.ts';
import { meetingDate } from './meeting-date.ts';
import { CHOICES, choiceLabel, findMotion, type Motion } from './motions.ts';
import type { Sql } from '../db/connect.ts';
import { findMember } from '../members/repository.ts';
import { disciplineForms, NO_DISCIPLINE } from '../rules/discipline.ts';
import type { Meeting } from './repository.ts';

export const VOTE_KIND_LABELS: Record<DecisionKind, string> = {
  resolution: 'Thông qua nghị quyết',
  question: 'Biểu quyết',
  admission: 'Kết nạp đảng viên',
  recognition: 'Công nhận đảng viên chính thức',
  discipline: 'Kỷ luật',
  expulsion: 'Khai trừ',
  election: 'Bầu cử',
};

/**
 * The secretary opens a motion. The ballot follows the rules: discipline, expulsion and
 * elections are always secret; a resolution is open; admission and recognition let the
 * meeting choose. Members present get the choices in chat.
 */
export async function openMotion(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: {
    meetingId: number;
    kind: DecisionKind;
    title: string;
    ballot?: 'open' | 'secret';
    allowChange?: boolean;
    /** Discipline: the member it concerns (a probationary member can only receive the lighter forms). */
    subjectMemberId?: number;
  },
): Promise<Motion> {
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, {
      role: CAN.runMeetings,
      status: ['in_progress'],
      statusMessage: 'Chỉ biểu quyết được khi buổi họp đang diễn ra.',
    });
    if (input.kind === 'election') {
      throw new AppError(
        'validation',
        'Bầu cử cần danh sách người ứng cử và số suất: mở bằng chức năng bầu cử (POST /meetings/:id/elections).',
        { field: 'kind' },
      );
    }
    const rule = versionInForce(DECISIONS[input.kind], meetingDate(meeting.startsAt)).value;
    // rule: secret ballots — discipline/expulsion QĐ 22 Đ15 (QĐ 296), elections QĐ 190;
    // resolutions open (Điều lệ Đ9 k5)
    const ballot = rule.ballot === 'choice' ? (input.ballot ?? 'open') : rule.ballot;
    if (input.ballot && input.ballot !== ballot) {
      throw new AppError(
        'validation',
        `${VOTE_KIND_LABELS[input.kind]} phải biểu quyết ` +
          `${ballot === 'secret' ? 'kín (bỏ phiếu kín)' : 'công khai'} theo quy định.`,
        { field: 'ballot' },
      );
    }
    // A secret vote cannot be changed: nobody, not even the system, knows what to take back.
    const allowChange = ballot === 'open' && (input.allowChange ?? false);
    const options = input.kind === 'discipline' ? await disciplineOptions(sql, meeting, input.subjectMemberId) : null;
    const [{ id }] = await sql.query<{ id: number }>(
      `insert into motions (meeting_id, kind, title, ballot, allow_change, opened_at, options, subject_member_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
      [
        meeting.id,
        input.kind,
        input.title.trim(),
        ballot,
        allowChange,
        deps.clock.now(),
        options,
        input.subjectMemberId ?? null,
      ],
    );
    const text =
      `🗳 ${VOTE_KIND_LABELS[input.kind]}: ${input.title.trim()}\n` +
      `${ballot === 'secret' ? 'Bỏ phiếu kín: lựa chọn của đồng chí không gắn với tên.' : 'Biểu quyết công khai.'}`;
    const choices = (options ?? [...CHOICES]).map((c) => ({
      label: choiceLabel(c),
      action: { kind: 'vote' as const, motionId: id, choice: c },
    }));
    const present = await sql.query<{ id: number }>(
      `select member_id as id from meeting_attendance where meeting_id = $1 and checked_in_at is not null
        and left_at is null`,
      [meeting.id],
    );
    const meta = { kind: 'motion.opened', refType: 'motion', refId: id, dedupePrefix: `motion:${id}:opened` };
    await enqueueForMembers(
      sql,
      present.map((p) => p.id),
      { text, choices },
      meta,
    );
    await enqueueForOrgGroups(
      sql,
      meeting.cellId,
      { text: `${text}\nĐồng chí có mặt gõ "bieuquyet" để bỏ phiếu.` },
      meta,
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'motion.opened',
      subjectType: 'motion',
      subjectId: id,
      details: { meetingId: meeting.id, kind: input.kind, ballot },
      at: deps.clock.now(),
    });
    return (await findMotion(sql, id))!;
  });
}

// rule: discipline forms — one ballot over the forms; a probationary member only khiển trách or cảnh cáo (rules.md §3)
async function disciplineOptions(sql: Sql, meeting: Meeting, subjectMemberId: number | undefined): Promise<string[]> {
  const subject = subjectMemberId ? await findMember(sql, subjectMemberId) : undefined;
  if (subjectMemberId && subject?.cellId !== meeting.cellId)
    throw new AppError('validation', 'Đảng viên bị xem xét kỷ luật phải thuộc chi bộ này.', {
      field: 'subjectMemberId',
    });
  return [...disciplineForms(meetingDate(meeting.startsAt), subject?.status === 'probationary'), NO_DISCIPLINE];
}
