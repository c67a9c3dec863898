/**
 * The minutes in the party's document form (rules.md §9, HD 36-HD/VPTW; issue 26) and what
 * they say of the meeting (issue 24): the place before the date is the locality, not the venue;
 * a rule under "ĐẢNG CỘNG SẢN VIỆT NAM"; a Times-metric face in the PDF; those present split
 * official / probationary, an exempt member who attends marked as such; "đã được đọc lại và
 * thông qua" only once the minutes were approved; the signatures on one page, side by side.
 */
import zlib from 'node:zlib';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMeetingScenario, type MeetingScenario } from '../support/meeting-scenario.ts';
import { makeMember, makePeriod } from '../factories/index.ts';
import { renderPdf, type MinutesDocument } from '../../api/meetings/generate-minutes.ts';
import type { App } from '../../api/server.ts';

let t: TestDb;
let app: App;
const clock = new TestClock(new Date('2026-12-05T12:00:00Z'));
let s: MeetingScenario;

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db, clock));
  s = await makeMeetingScenario(app, t.db, {
    official: 8,
    probationary: 1,
    startsAt: '2026-12-05T12:00:00Z',
    place: 'Nhà văn hóa thôn Đông, xóm Bãi Giữa, cạnh trường tiểu học',
  });
  const exempt = await makeMember(t.db, s.tree.cellA, { fullName: 'Cụ Miễn' });
  await makePeriod(t.db, exempt, { kind: 'exempt', startsOn: '2026-01-01', reason: 'Tuổi cao' });
  await s.checkIn([...s.officials.slice(0, 6), ...s.probationary], 'online');
  await s.post(`/meetings/${s.meetingId}/check-in`, { memberId: exempt.id });
  clock.set('2026-12-05T13:40:00Z');
  expect((await s.post(`/meetings/${s.meetingId}/close`)).statusCode).toBe(200);
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

async function minutes() {
  const docx = await s.get(`/meetings/${s.meetingId}/minutes.docx`);
  const pdf = await s.get(`/meetings/${s.meetingId}/minutes.pdf`);
  const squash = (x: string) => x.normalize('NFC').replace(/\s+/g, ' ');
  return {
    word: squash((await mammoth.extractRawText({ buffer: docx.rawPayload })).value),
    pdf: squash((await pdfPages(pdf.rawPayload)).join(' ')),
    pdfBytes: pdf.rawPayload,
    xml: await documentXml(docx.rawPayload),
  };
}

describe('the minutes', () => {
  it('put the locality before the date, not the venue', async () => {
    const m = await minutes();
    for (const text of [m.word, m.pdf]) {
      expect(text).toContain('Thử nghiệm, ngày 05 tháng 12 năm 2026');
      expect(text).not.toMatch(/Nhà văn hóa thôn Đông[^.]*, ngày 05 tháng 12/);
      // The venue stays in the body.
      expect(text).toContain('Địa điểm: Nhà văn hóa thôn Đông, xóm Bãi Giữa, cạnh trường tiểu học.');
    }
  });

  it('count those present as official and probationary, and mark an exempt member who attends', async () => {
    const m = await minutes();
    for (const text of [m.word, m.pdf]) {
      expect(text).toContain('Có mặt 8 đồng chí (chính thức 7, dự bị 1):');
      expect(text).toContain('Cụ Miễn (miễn sinh hoạt, có mặt)');
    }
  });

  it('say "đã được đọc lại và thông qua" only once the minutes were approved', async () => {
    const before = await minutes();
    expect(before.word).not.toContain('đã được đọc lại và thông qua');
    expect(before.word).toContain('Biên bản chưa được đọc lại và thông qua.');
    const approved = await s.post(`/meetings/${s.meetingId}/minutes/approve`);
    expect(approved.statusCode).toBe(200);
    const after = await minutes();
    for (const text of [after.word, after.pdf])
      expect(text).toContain('Biên bản đã được đọc lại và thông qua lúc 20:40 ngày 05/12/2026.');
  });

  it('in the PDF: a Times-metric face, and a rule under the Party’s name', async () => {
    const { pdfBytes } = await minutes();
    const fonts = [...pdfBytes.toString('latin1').matchAll(/\/BaseFont \/[A-Z]{6}\+([\w-]+)/g)].map((x) => x[1]);
    expect(new Set(fonts)).toEqual(new Set(['Tinos-Regular', 'Tinos-Bold', 'Tinos-Italic']));
    const { party, rules } = await partyLineAndRules(pdfBytes);
    // A horizontal line just below the Party's name, as wide as the name and centred under it.
    const under = rules.filter((r) => r.y < party.y && party.y - r.y < 8);
    expect(under).toHaveLength(1);
    expect(Math.abs(under[0].x1 - under[0].x0 - party.width)).toBeLessThan(2);
    expect(Math.abs((under[0].x0 + under[0].x1) / 2 - (party.x + party.width / 2))).toBeLessThan(2);
  });
});

describe('the signature block', () => {
  it('in the DOCX: one row, the minute-taker and the chair side by side', async () => {
    const { xml } = await minutes();
    const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((r) => r[0]);
    const signatures = rows.filter((r) => r.includes('THƯ KÝ'));
    expect(signatures).toHaveLength(1);
    const cells = [...signatures[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => c[0]);
    expect(cells).toHaveLength(2);
    expect(cells[0]).toContain('THƯ KÝ');
    expect(cells[1]).toContain('CHỦ TRÌ');
  });

  it('stays on one page, titles and names side by side, however long the body', async () => {
    for (let lines = 20; lines <= 60; lines++) {
      const doc: MinutesDocument = {
        headerLeft: [{ text: 'CHI BỘ A', bold: true }],
        headerRight: [{ text: 'ĐẢNG CỘNG SẢN VIỆT NAM', bold: true, rule: true }],
        title: 'BIÊN BẢN',
        subject: 'sinh hoạt chi bộ',
        body: Array.from({ length: lines }, (_, i) => ({ text: `Dòng ${i + 1} của biên bản.` })),
        signatures: [
          { role: 'THƯ KÝ', name: 'Nguyễn Thư Ký' },
          { role: 'CHỦ TRÌ', name: 'Trần Chủ Trì' },
        ],
      };
      const pages = await pdfPages(await renderPdf(doc, 'Biên bản'));
      const last = pages.at(-1)!.replace(/\s+/g, ' ');
      expect({ lines, last: /THƯ KÝ.*Nguyễn Thư Ký/.test(last) && /CHỦ TRÌ.*Trần Chủ Trì/.test(last) }).toEqual({
        lines,
        last: true,
      });
      const withSignature = pages.filter((p) => /THƯ KÝ|CHỦ TRÌ|Nguyễn Thư Ký|Trần Chủ Trì/.test(p));
      expect({ lines, pages: withSignature.length }).toEqual({ lines, pages: 1 });
    }
  });
});

async function pdfPages(data: Buffer): Promise<string[]> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(data)), { mergePages: false });
  return (text as string[]).map((p) => p.normalize('NFC'));
}

/** word/document.xml of a DOCX (a zip). */
async function documentXml(data: Buffer): Promise<string> {
  const yauzl = await import('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.readEntry();
      zip.on('entry', (entry) => {
        if (entry.fileName !== 'word/document.xml') return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        });
      });
      zip.on('end', () => reject(new Error('no word/document.xml')));
    });
  });
}

/**
 * The first page's "ĐẢNG CỘNG SẢN VIỆT NAM" (position and width, from the text layer) and the
 * horizontal lines drawn on the page (from its content stream: "x y m x' y l", a width, a stroke),
 * both in PDF coordinates (origin at the bottom left).
 */
async function partyLineAndRules(data: Buffer) {
  const { getDocumentProxy } = await import('unpdf');
  const page = await (await getDocumentProxy(new Uint8Array(data))).getPage(1);
  const content = await page.getTextContent();
  const item = content.items.find((i) => 'str' in i && i.str.normalize('NFC') === 'ĐẢNG CỘNG SẢN VIỆT NAM');
  if (!item || !('transform' in item)) throw new Error('no party line');
  const party = { x: item.transform[4], y: item.transform[5], width: item.width };
  const raw = data.toString('latin1');
  const streams = [...raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)].map((m) => {
    try {
      return zlib.inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      return '';
    }
  });
  const pageOps = streams.find((x) => / cm\b/.test(x) && /\bBT\b/.test(x)) ?? '';
  // pdfkit draws top-down: "1 0 0 -1 0 <height> cm" flips the page.
  const height = Number(/1 0 0 -1 0 ([\d.]+) cm/.exec(pageOps)?.[1] ?? 0);
  const rules = [...pageOps.matchAll(/([\d.]+) ([\d.]+) m\s+([\d.]+) ([\d.]+) l\s+(?:[\d.]+ w\s+)?S/g)]
    .map((m) => m.slice(1).map(Number))
    .filter(([, y0, , y1]) => y0 === y1)
    .map(([x0, y, x1]) => ({ x0: Math.min(x0, x1), x1: Math.max(x0, x1), y: height - y }));
  return { party, rules };
}
