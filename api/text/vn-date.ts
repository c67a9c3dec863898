/**
 * Dates and times as people in Vietnam type them: "05/12/2026", "5/12/2026 19:30", "05-12-2026
 * 7:30" — day first, whatever language the browser speaks (a browser's own date input shows
 * mm/dd/yyyy in an English browser). ISO forms ("2026-12-05", "2026-12-05T19:30") are read too.
 * Returns the ISO text, or null when the text is not a real date (31/02 is not).
 */
export function readVnDate(text: string): string | null {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : vn ? [vn[3], vn[2], vn[1]] : [];
  if (!y) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return date.toISOString().slice(0, 10);
}

/** "05/12/2026 19:30" (or ISO) → "2026-12-05T19:30", Vietnam time as typed; null when not a real moment. */
export function readVnDateTime(text: string): string | null {
  const m = /^(.+?)(?:\s*,\s*|\s+|T)(\d{1,2})[:h](\d{2})$/.exec(text.trim());
  if (!m) return null;
  const day = readVnDate(m[1]);
  const [hh, mm] = [Number(m[2]), Number(m[3])];
  if (!day || hh > 23 || mm > 59) return null;
  return `${day}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
}

/** "2026-12-05" → "05/12/2026"; "2026-12-05T19:30" → "05/12/2026 19:30" (to fill a form back in). */
export function writeVnDate(iso: string): string {
  const [date, time] = iso.split('T');
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}${time ? ` ${time.slice(0, 5)}` : ''}`;
}
