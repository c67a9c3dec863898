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
