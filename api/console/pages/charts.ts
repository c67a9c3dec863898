/**
 * Charts as inline SVG drawn on the server: no script, no fonts to fetch; they show on an
 * old phone, scale on a desktop and print. Each has a title and a text table beside it for
 * screen readers.
 */
import { h } from './html.ts';

export interface Bar {
  label: string;
  value: number;
  /** Highlighted (e.g. below target). */
  flag?: boolean;
}

const MAX_LABEL = 42;

/** Horizontal bars of shares (0–1), with a dashed line at the target. */
export function shareBars(title: string, bars: Bar[], target: number): string {
  const rowH = 22;
  // Room for the longest label at 12 px (about 6.6 px a letter), so no unit's name is clipped.
  const longest = Math.max(10, ...bars.map((b) => Math.min(b.label.length, MAX_LABEL)));
  const left = Math.ceil(longest * 6.6) + 12;
  const width = left + 430;
  const plot = width - left - 60;
  const height = bars.length * rowH + 30;
  const x = (v: number) => left + Math.max(0, Math.min(1, v)) * plot;
  const rows = bars
    .map((b, i) => {
      const y = 10 + i * rowH;
      const label = b.label.length > MAX_LABEL ? `${b.label.slice(0, MAX_LABEL - 1)}…` : b.label;
      return `<text x="${left - 6}" y="${y + 15}" text-anchor="end" font-size="12">${h(label)}</text>
<rect x="${left}" y="${y + 3}" width="${(x(b.value) - left).toFixed(1)}" height="${rowH - 6}"
 fill="${b.flag ? '#c0392b' : '#2e7d32'}"/>
<text x="${(x(b.value) + 4).toFixed(1)}" y="${y + 15}"
 font-size="12">${(Math.round(b.value * 1000) / 10).toLocaleString('vi-VN')} %</text>`;
    })
    .join('');
  const tx = x(target).toFixed(1);
  return `<figure><svg viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="${h(title)}">
<title>${h(title)}</title>
${rows}<line x1="${tx}" y1="4" x2="${tx}" y2="${height - 16}" stroke="#000" stroke-dasharray="4 3"/>
<text x="${tx}" y="${height - 4}" font-size="11" text-anchor="middle">mục tiêu ${Math.round(target * 100)} %</text>
</svg>
<figcaption class="muted">${h(title)}. Màu đỏ: dưới mục tiêu.</figcaption></figure>`;
}

/** Columns per month (meetings) with a line (cumulative linked members) on its own scale. */
export function monthColumns(
  title: string,
  months: { month: string; columns: number; line: number }[],
  columnLabel: string,
  lineLabel: string,
): string {
  const width = 620;
  const height = 220;
  const left = 40;
  const bottom = 180;
  const top = 20;
  const step = (width - left - 20) / Math.max(1, months.length);
  const maxC = Math.max(1, ...months.map((m) => m.columns));
  const maxL = Math.max(1, ...months.map((m) => m.line));
  const yC = (v: number) => bottom - (v / maxC) * (bottom - top);
  const yL = (v: number) => bottom - (v / maxL) * (bottom - top);
  const cols = months
    .map((m, i) => {
      const x = left + i * step;
      return `<rect x="${(x + step * 0.15).toFixed(1)}" y="${yC(m.columns).toFixed(1)}"
 width="${(step * 0.7).toFixed(1)}" height="${(bottom - yC(m.columns)).toFixed(1)}" fill="#5c7cfa"/>
<text x="${(x + step / 2).toFixed(1)}" y="${bottom + 14}" font-size="10"
 text-anchor="middle">${h(m.month.slice(5))}/${h(m.month.slice(2, 4))}</text>
<text x="${(x + step / 2).toFixed(1)}" y="${(yC(m.columns) - 3).toFixed(1)}" font-size="10"
 text-anchor="middle">${m.columns}</text>`;
    })
    .join('');
  const points = months.map((m, i) => `${(left + i * step + step / 2).toFixed(1)},${yL(m.line).toFixed(1)}`).join(' ');
  // Each point of the line carries its value, so the trend reads without the table.
  const values = months
    .map(
      (m, i) => `<text x="${(left + i * step + step / 2).toFixed(1)}" y="${(yL(m.line) - 6).toFixed(1)}"
 font-size="10" fill="#c0392b" text-anchor="middle">${m.line.toLocaleString('vi-VN')}</text>`,
    )
    .join('');
  return `<figure><svg viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="${h(title)}">
<title>${h(title)}</title>
<line x1="${left}" y1="${bottom}" x2="${width - 10}" y2="${bottom}" stroke="#000"/>${cols}
<polyline points="${points}" fill="none" stroke="#c0392b" stroke-width="2.5"/>${values}
<rect x="${left}" y="${height - 18}" width="12" height="10" fill="#5c7cfa"/>
<text x="${left + 16}" y="${height - 9}" font-size="11">${h(columnLabel)}</text>
<line x1="${left + 200}" y1="${height - 13}" x2="${left + 220}" y2="${height - 13}"
 stroke="#c0392b" stroke-width="2.5"/>
<text x="${left + 224}" y="${height - 9}" font-size="11">${h(lineLabel)} (tối đa ${maxL.toLocaleString('vi-VN')})</text>
</svg><figcaption class="muted">${h(title)}</figcaption></figure>`;
}

/** One stacked bar: parts done out of a whole (e.g. meetings with all three parts). */
export function partBar(title: string, parts: { label: string; value: number; color: string }[]): string {
  const total = Math.max(
    1,
    parts.reduce((n, p) => n + p.value, 0),
  );
  const width = 620;
  let x = 0;
  const rects = parts
    .map((p) => {
      const w = (p.value / total) * width;
      const r = `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="28" fill="${p.color}"/>`;
      x += w;
      return r;
    })
    .join('');
  const legend = parts
    .map(
      (p, i) =>
        `<rect x="${i * 200}" y="36" width="12" height="12" fill="${p.color}"/>
<text x="${i * 200 + 16}" y="46" font-size="12">${h(p.label)}: ${p.value}</text>`,
    )
    .join('');
  return `<figure><svg viewBox="0 0 ${width} 56" width="${width}" role="img" aria-label="${h(title)}">
<title>${h(title)}</title>${rects}${legend}</svg></figure>`;
}
