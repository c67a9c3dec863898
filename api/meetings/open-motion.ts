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
import { findMember, MEMBER_COLUMNS, type Member } from '../members/repository.ts';
import { DISCIPLINE, DISCIPLINE_LABELS, disciplineForms, NO_DISCIPLINE } from '../rules/discipline.ts';
import { foldVietnamese } from '../text/fold.ts';
import type { Meeting } from './repository.ts';
import { checkRecognition } from './recognition.ts';
import { onlineSecrecy, PAPER_INSTEAD_LABEL } from './ballot-secrecy.ts';

export const VOTE_KIND_LABELS: Record<DecisionKind, string> = {
  resolution: 'Thông qua nghị quyết',
  question: 'Biểu quyết',
  admission: 'Kết nạp đảng viên',
  recognition: 'Công nhận đảng viên chính thức',
  discipline: 'Kỷ luật',
  expulsion: 'Khai trừ',
  election: 'Bầu cử',
  introduction: 'Giới thiệu người ứng cử',
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
): Promise<Motion & { warnings: string[] }> {
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, {
      role: CAN.runMeetings,
      status: ['in_progress'],
      statusMessage: 'Chỉ biểu quyết được khi buổi họp đang diễn ra.',
    });
    if (input.kind === 'election' || input.kind === 'introduction') {
      throw new AppError(
        'validation',
        input.kind === 'election'
          ? 'Bầu cử cần danh sách người ứng cử và số suất: mở bằng chức năng bầu cử (POST /meetings/:id/elections).'
          : 'Giới thiệu người ứng cử mở khi đề cử vào danh sách bầu cử (POST /motions/:id/candidates).',
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
    const subject = await motionSubject(sql, meeting, input);
    const warnings = input.kind === 'recognition' ? await checkRecognition(sql, meeting, subject) : [];
    const started = await startMotion(sql, deps.clock.now(), actor, meeting, {
      kind: input.kind,
      title: input.title,
      ballot,
      // A secret vote cannot be changed: nobody, not even the system, knows what to take back.
      allowChange: ballot === 'open' && (input.allowChange ?? false),
      options: input.kind === 'discipline' ? disciplineOptions(meeting, subject) : null,
      subjectMemberId: subject?.id ?? null,
    });
    return { ...(await findMotion(sql, started.id))!, warnings: [...warnings, ...started.warnings] };
  });
}

/**
 * Inserts a motion and puts it to those present: the choices to each member checked in, a
 * line to the cell's group, an audit entry. Also opens an election's introduction ballots.
 */
export async function startMotion(
  sql: Sql,
  now: Date,
  actor: Principal,
  meeting: Meeting,
  m: {
    kind: DecisionKind;
    title: string;
    ballot: 'open' | 'secret';
    allowChange: boolean;
    options: string[] | null;
    subjectMemberId: number | null;
  },
): Promise<{ id: number; warnings: string[] }> {
  const title = m.title.trim();
  const [{ id }] = await sql.query<{ id: number }>(
    `insert into motions (meeting_id, kind, title, ballot, allow_change, opened_at, options, subject_member_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [meeting.id, m.kind, title, m.ballot, m.allowChange, now, m.options, m.subjectMemberId],
  );
  const text =
    `🗳 ${VOTE_KIND_LABELS[m.kind]}: ${title}\n` +
    `${m.ballot === 'secret' ? 'Bỏ phiếu kín: lựa chọn của đồng chí không gắn với tên.' : 'Biểu quyết công khai.'}`;
  const choices = (m.options ?? [...CHOICES]).map((c) => ({
    label: choiceLabel(c),
    action: { kind: 'vote' as const, motionId: id, choice: c },
    ...(m.ballot === 'secret' ? { secret: true as const } : {}),
  }));
  const present = await sql.query<{ id: number }>(
    `select member_id as id from meeting_attendance where meeting_id = $1 and checked_in_at is not null
      and left_at is null`,
    [meeting.id],
  );
  // Few voting online in a secret ballot held in the room: they are told before they choose, and may vote on paper.
  const secrecy = await onlineSecrecy(sql, meeting, m.ballot);
  const warned = new Set(secrecy.toMember ? secrecy.online : []);
  const meta = { kind: 'motion.opened', refType: 'motion', refId: id, dedupePrefix: `motion:${id}:opened` };
  await enqueueForMembers(
    sql,
    present.map((p) => p.id).filter((p) => !warned.has(p)),
    { text, choices },
    meta,
  );
  await enqueueForMembers(
    sql,
    [...warned],
    {
      text: `${secrecy.toMember}\n\n${text}`,
      choices: [
        ...choices,
        { label: PAPER_INSTEAD_LABEL, action: { kind: 'vote-on-paper' as const, meetingId: meeting.id } },
      ],
    },
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
    details: { meetingId: meeting.id, kind: m.kind, ballot: m.ballot },
    at: now,
  });
  return { id, warnings: secrecy.toSecretary ? [secrecy.toSecretary] : [] };
}

/** Motions about one member of the cell. */
const ABOUT_A_MEMBER: readonly DecisionKind[] = ['discipline', 'expulsion', 'recognition'];

/**
 * The member a discipline, expulsion or recognition motion is about: the one given, or the one member of
 * the cell the title names ("Khai trừ đồng chí Nguyễn Văn A", as typed in chat). A
 * probationary member cannot be expelled — rule: QĐ 22 Đ15, QĐ 296; rules.md §3.
 */
async function motionSubject(
  sql: Sql,
  meeting: Meeting,
  input: { kind: DecisionKind; title: string; subjectMemberId?: number },
): Promise<Member | undefined> {
  if (!ABOUT_A_MEMBER.includes(input.kind)) return undefined;
  const subject = input.subjectMemberId
    ? await findMember(sql, input.subjectMemberId)
    : await findMemberNamed(sql, meeting.cellId, input.title);
  if (input.subjectMemberId && (subject?.cellId !== meeting.cellId || !subject.active))
    throw new AppError('validation', 'Đảng viên được xem xét phải là đảng viên của chi bộ này.', {
      field: 'subjectMemberId',
    });
  const rule = versionInForce(DISCIPLINE, meetingDate(meeting.startsAt));
  if (input.kind === 'expulsion' && subject?.status === 'probationary') {
    const forms = disciplineForms(meetingDate(meeting.startsAt), true).reverse();
    throw new AppError(
      'validation',
      `Đồng chí ${subject.fullName} là đảng viên dự bị: chỉ có thể bị kỷ luật ` +
        `${forms.map((f) => DISCIPLINE_LABELS[f].toLowerCase()).join(' hoặc ')}, không thể khai trừ (${rule.source}).`,
      { field: 'subjectMemberId' },
    );
  }
  return subject;
}

// rule: discipline forms — one ballot over the forms; a probationary member only khiển trách or cảnh cáo (rules.md §3)
function disciplineOptions(meeting: Meeting, subject: Member | undefined): string[] {
  return [...disciplineForms(meetingDate(meeting.startsAt), subject?.status === 'probationary'), NO_DISCIPLINE];
}

/** The one active member of the cell whose full name the text contains (the longest, when names nest). */
async function findMemberNamed(sql: Sql, cellId: number, text: string): Promise<Member | undefined> {
  const folded = ` ${foldVietnamese(text)
    .replace(/[^a-z0-9 ]/g, ' ')
    .replace(/\s+/g, ' ')} `;
  const members = await sql.query<Member>(`select ${MEMBER_COLUMNS} from members m where m.cell_id = $1 and m.active`, [
    cellId,
  ]);
  const named = members
    .filter((m) => folded.includes(` ${foldVietnamese(m.fullName)} `))
    .sort((a, b) => b.fullName.length - a.fullName.length);
  if (named.length > 1 && named[0].fullName.length === named[1].fullName.length) return undefined;
  return named[0];
}
