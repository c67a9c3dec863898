/**
 * Times as a person in Vietnam reads them: UTC+7 all year (no daylight saving), whatever the
 * server's own time zone. Every time or relative day shown to a member or a secretary is
 * written through here or `api/meetings/meeting-date.ts`.
 */
const VN_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 86_400_000;

/** "19:00 ngày 07/12/2026" in Vietnam time. */
export function formatVietnamDateTime(at: Date): string {
  const d = new Date(at.getTime() + VN_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} ngày ` +
    `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`
  );
}

/** The Vietnam calendar date of an instant, "2026-12-07" (a UTC date is the day before after 17:00 UTC). */
export function vietnamDate(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Vietnam calendar day of an instant, as a day number (days since 1970-01-01 in Vietnam). */
export function vietnamDayNumber(at: Date): number {
  return Math.floor((at.getTime() + VN_OFFSET_MS) / DAY_MS);
}

/** Minutes since midnight in Vietnam. */
export function vietnamMinuteOfDay(at: Date): number {
  return Math.floor(((at.getTime() + VN_OFFSET_MS) % DAY_MS) / 60_000);
}

/** The instant of a Vietnam wall-clock minute on the Vietnam day `day` (a vietnamDayNumber). */
export function vietnamInstant(day: number, minuteOfDay: number): Date {
  return new Date(day * DAY_MS + minuteOfDay * 60_000 - VN_OFFSET_MS);
}

/** "hôm nay", "ngày mai", "ngày kia", or null when `at` is further (or earlier) than that, in Vietnam days. */
export function relativeVietnamDay(at: Date, now: Date): string | null {
  const diff = vietnamDayNumber(at) - vietnamDayNumber(now);
  return diff === 0 ? 'hôm nay' : diff === 1 ? 'ngày mai' : diff === 2 ? 'ngày kia' : null;
}

/** Whether `now` falls in the nightly quiet hours (Vietnam time); never with none configured. */
export function inQuietHours(now: Date, quiet: { start: number; end: number } | null | undefined): boolean {
  if (!quiet) return false;
  const minute = vietnamMinuteOfDay(now);
  return quiet.start < quiet.end
    ? minute >= quiet.start && minute < quiet.end
    : minute >= quiet.start || minute < quiet.end;
}

/** When the quiet hours `now` falls in end (the next Vietnam wall-clock `end`); `now` outside them. */
export function quietHoursEnd(now: Date, quiet: { start: number; end: number } | null | undefined): Date {
  if (!quiet || !inQuietHours(now, quiet)) return now;
  const today = vietnamDayNumber(now);
  const end = vietnamInstant(today, quiet.end);
  return end.getTime() > now.getTime() ? end : vietnamInstant(today + 1, quiet.end);
}

/** "06:30" for a minute of the day. */
export const clockTime = (minuteOfDay: number) =>
  `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
