/** The calendar date of a meeting in Vietnam (UTC+7, no daylight saving), for rule versions and facts. */
export function meetingDate(startsAt: Date): string {
  return new Date(startsAt.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

export function formatVnDateTime(at: Date): string {
  const d = new Date(at.getTime() + 7 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} ngày ` +
    `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`
  );
}
