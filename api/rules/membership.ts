import type { Rule } from './rule.ts';

// rule: probation — Điều lệ Đảng 2011, Điều 5 khoản 1 (rules.md §6)
export const PROBATION_MONTHS: Rule<number> = {
  key: 'membership.probation_months',
  description: 'Thời gian dự bị tính từ ngày lễ kết nạp (tháng)',
  setting: false,
  versions: [
    { value: 12, effectiveFrom: '2011-01-19', source: 'Điều lệ Đảng 2011, Điều 5 khoản 1', confidence: 'firm' },
  ],
};

// rule: cell committee — a cell with 9 or more official members elects a chi ủy; below that, a
// secretary (Điều lệ Đảng 2011, Điều 21 and Điều 24; rules.md §7) [firm]
export const CELL_COMMITTEE_MIN_OFFICIAL: Rule<number> = {
  key: 'membership.cell_committee_min_official',
  description: 'Số đảng viên chính thức từ đó chi bộ bầu chi ủy',
  setting: false,
  versions: [{ value: 9, effectiveFrom: '2011-01-19', source: 'Điều lệ Đảng 2011, Điều 21, 24', confidence: 'firm' }],
};

export interface RecognitionRule {
  /** The cell considers recognition within this many working days after the 12 months. */
  withinWorkingDays: number;
  /** After this many failed votes the committee above decides. */
  maxFailedVotes: number;
}

// rule: recognition as an official member — considered within 30 working days after the 12-month probation;
// after three failed votes it goes to the committee above; effective from the end of the 12 months
// (Điều lệ Đảng 2011, Điều 5; rules.md §3) [firm]
export const RECOGNITION: Rule<RecognitionRule> = {
  key: 'membership.recognition',
  description: 'Xét công nhận đảng viên chính thức: thời hạn xét và số lần biểu quyết không đạt tối đa',
  setting: false,
  versions: [
    {
      value: { withinWorkingDays: 30, maxFailedVotes: 3 },
      effectiveFrom: '2011-01-19',
      source: 'Điều lệ Đảng 2011, Điều 5',
      confidence: 'firm',
    },
  ],
};

/**
 * An ISO date plus `days` working days, Monday to Friday. Public holidays are not taken off
 * (their dates move with the lunar calendar): the deadline it gives may be a few days early.
 */
export function addWorkingDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  for (let left = days; left > 0; ) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}

export const WORKING_DAYS_NOTE = 'ngày làm việc: thứ Hai đến thứ Sáu, chưa trừ ngày lễ';
