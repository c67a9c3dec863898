/**
 * Recognition as an official member (công nhận đảng viên chính thức) — rule: Điều lệ Đảng 2011,
 * Điều 5; rules.md §3: the member is probationary and has served the 12 months; the cell
 * considers it within 30 working days (late is warned, not blocked: the member is still owed
 * the vote); after three failed votes the committee above decides; a vote passed proposes
 * recognition from the end of the 12 months, which the committee above decides.
 */
import type { Sql } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import type { Member } from '../members/repository.ts';
import { addWorkingDays, RECOGNITION, WORKING_DAYS_NOTE } from '../rules/membership.ts';
import { versionInForce } from '../rules/rule.ts';
import type { Meeting } from './repository.ts';
import { meetingDate } from './meeting-date.ts';

const vnDate = (iso: string) => iso.split('-').reverse().join('/');

/** Whether the cell may vote on this member's recognition now (throws why not), and what to warn of. */
export async function checkRecognition(sql: Sql, meeting: Meeting, subject: Member | undefined): Promise<string[]> {
  if (!subject)
    throw new AppError(
      'validation',
      'Công nhận đảng viên chính thức: nêu tên đồng chí được xét (đảng viên dự bị của chi bộ).',
      { field: 'subjectMemberId' },
    );
  if (subject.status !== 'probationary')
    throw new AppError('validation', `Đồng chí ${subject.fullName} đã là đảng viên chính thức.`, {
      field: 'subjectMemberId',
    });
  const date = meetingDate(meeting.startsAt);
  const rule = versionInForce(RECOGNITION, date);
  const ends = subject.probationEndsOn;
  if (ends && date < ends)
    throw new AppError(
      'validation',
      `Đồng chí ${subject.fullName} chưa hết 12 tháng dự bị (hết ngày ${vnDate(ends)}): ` +
        'chưa xét công nhận chính thức được.',
      { field: 'subjectMemberId' },
    );
  const failed = await countFailedVotes(sql, subject.id);
  if (failed >= rule.value.maxFailedVotes)
    throw new AppError(
      'conflict',
      `Chi bộ đã biểu quyết ${failed} lần không đạt việc công nhận chính thức đồng chí ${subject.fullName}: ` +
        `việc này do cấp ủy cấp trên xem xét, quyết định (${rule.source}).`,
    );
  if (!ends) return [];
  const deadline = addWorkingDays(ends, rule.value.withinWorkingDays);
  return date > deadline
    ? [
        `Đã quá thời hạn xét công nhận: ${rule.value.withinWorkingDays} ngày làm việc sau khi hết 12 tháng dự bị ` +
          `(${vnDate(ends)}) là ngày ${vnDate(deadline)} (${WORKING_DAYS_NOTE}).`,
      ]
    : [];
}

/** What a recognition vote being closed means for the member, in the result's text (before it is stored). */
export async function recognitionOutcome(sql: Sql, subject: Member, passed: boolean, onDate: string): Promise<string> {
  const rule = versionInForce(RECOGNITION, onDate).value;
  if (passed)
    return (
      `Đề nghị cấp ủy cấp trên quyết định công nhận đồng chí ${subject.fullName} là đảng viên chính thức` +
      `${subject.probationEndsOn ? `, tính từ ngày ${vnDate(subject.probationEndsOn)} (hết 12 tháng dự bị)` : ''}.`
    );
  const failed = (await countFailedVotes(sql, subject.id)) + 1;
  return failed < rule.maxFailedVotes
    ? `Lần biểu quyết thứ ${failed} không đạt; chi bộ còn xét lại được ${rule.maxFailedVotes - failed} lần.`
    : `Đã ${failed} lần biểu quyết không đạt: việc công nhận chính thức do cấp ủy cấp trên xem xét, quyết định.`;
}

async function countFailedVotes(sql: Sql, memberId: number): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(
    `select count(*)::int as n from motions where kind = 'recognition' and subject_member_id = $1
        and status = 'closed' and not (result->>'passed')::boolean`,
    [memberId],
  );
  return n;
}
