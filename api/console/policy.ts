/**
 * How long console links and sessions live, and the adoption target the dashboard names
 * units against. The durations are security choices of this service, not party rules; the
 * target is a dated setting like the party rules, so a province can change it with a date.
 */
import type { Rule } from '../rules/rule.ts';

/** A sign-in link from chat works once, for this long. */
export const LINK_MINUTES = 10;
/** A console session ends this long after sign-in, whatever happens. */
export const SESSION_HOURS = 8;
/** …and after this long without a request. */
export const IDLE_MINUTES = 60;
/** "Active" on the dashboard: did something on the platform within this many days. */
export const ACTIVE_DAYS = 30;

// rule: adoption target — units under 90 % of members linked are named in the report
// (the seed report's practice; a province setting)
export const ADOPTION_TARGET: Rule<number> = {
  key: 'console.adoption_target',
  description: 'Tỷ lệ đảng viên đã liên kết tài khoản chat tối thiểu của một đơn vị',
  setting: true,
  versions: [
    {
      value: 0.9,
      effectiveFrom: '2025-07-01',
      source: 'Báo cáo sơ kết triển khai Sổ tay đảng viên (mẫu), mục kết quả',
      confidence: 'unconfirmed',
    },
  ],
};

/**
 * What "hoạt động 30 ngày" counts (migration 121), said on the dashboard and in the report: what
 * a member did herself — a secretary marking her present in the room is not her act.
 */
export const ACTIVE_MEANING =
  'tự thực hiện ít nhất một việc trên kênh chat hoặc trang web: xác nhận đã đọc thông báo, mở tài liệu họp, ' +
  'tự điểm danh, biểu quyết hoặc gửi ý kiến; bí thư điểm danh hộ không tính';
