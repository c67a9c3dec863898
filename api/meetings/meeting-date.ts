import { vietnamDate } from '../text/vietnam-time.ts';

/** The calendar date of a meeting in Vietnam (UTC+7, no daylight saving), for rule versions and facts. */
export function meetingDate(startsAt: Date): string {
  return vietnamDate(startsAt);
}
