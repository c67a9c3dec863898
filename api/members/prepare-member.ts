/**
 * Turns a member as typed (API body or spreadsheet row) into a row to store, applying the
 * rules that do not need the database: probation end date, status/date consistency.
 */
import { PROBATION_MONTHS } from '../rules/membership.ts';
import { versionInForce } from '../rules/rule.ts';
import type { Gender, MemberStatus, NewMember } from './repository.ts';

export interface MemberInput {
  fullName: string;
  gender: Gender;
  birthYear?: number | null;
  cardNumber?: string | null;
  phone?: string | null;
  cellId: number;
  status: MemberStatus;
  admittedOn?: string | null;
  officialOn?: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export function prepareMember(input: MemberInput): { member: NewMember; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const fullName = input.fullName.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!fullName) problems.push({ field: 'fullName', message: 'Họ và tên không được để trống.' });
  const admittedOn = input.admittedOn ?? null;
  let probationEndsOn: string | null = null;
  if (input.status === 'probationary') {
    if (!admittedOn) problems.push({ field: 'admittedOn', message: 'Đảng viên dự bị cần có ngày kết nạp.' });
    else {
      // rule: probation of 12 months from the admission ceremony — Điều lệ Đ5 k1
      probationEndsOn = addMonths(admittedOn, versionInForce(PROBATION_MONTHS, admittedOn).value);
    }
    if (input.officialOn) problems.push({ field: 'officialOn', message: 'Đảng viên dự bị chưa có ngày chính thức.' });
  }
  if (input.officialOn && admittedOn && input.officialOn < admittedOn) {
    problems.push({ field: 'officialOn', message: 'Ngày chính thức không thể trước ngày kết nạp.' });
  }
  return {
    member: {
      fullName,
      gender: input.gender,
      birthYear: input.birthYear ?? null,
      cardNumber: input.cardNumber?.trim() || null,
      phone: input.phone?.trim() || null,
      cellId: input.cellId,
      status: input.status,
      admittedOn,
      probationEndsOn,
      officialOn: input.officialOn ?? null,
    },
    problems,
  };
}

/** ISO date plus whole months, clamped to the month's last day. */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}
