/**
 * A "Báo cáo sơ kết" that can be handed in (issue 25, point 3; rules.md §9, HD 36): read back
 * from the DOCX as a committee office reads it — the committee as issuing body with the number
 * and ký hiệu, the locality before the date, the signer's title and name, tables with a total
 * row, every cell (those that did not meet too); minutes share the header's settings.
 */
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { consoleSignIn, postConsoleForm } from '../support/console-session.ts';
import { linkChat, makeMember, makeOrg } from '../factories/index.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { grantRole } from '../../api/auth/roles.ts';
import { headerNames } from '../../api/meetings/load-minutes.ts';
import type { Deps } from '../../api/context.ts';
import type { Org } from '../../api/orgs/repository.ts';
import type { App } from '../../api/server.ts';

let t: TestDb;
let deps: Deps;
let app: App;
let commune: Org;
let cellA: Org;
let cookie: string;
const clock = new TestClock(new Date('2026-12-07T03:00:00Z'));

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
  app = await buildTestApp(deps);
  const province = await makeOrg(t.db, 'province', null, 'Đảng bộ tỉnh Lạng Sơn');
  commune = await makeOrg(t.db, 'commune', province, 'Đảng bộ xã Đồng Đăng');
  cellA = await makeOrg(t.db, 'cell', commune, 'Chi bộ thôn Nà Lầu');
  const cellB = await makeOrg(t.db, 'cell', commune, 'Chi bộ thôn Bản Huấn');
  await makeOrg(t.db, 'cell', commune, 'Chi bộ Công an xã', { deployed: false, notDeployedReason: 'Ngành riêng' });
  const members = [];
  for (let i = 0; i < 4; i++) members.push(await makeMember(t.db, cellA));
  for (let i = 0; i < 3; i++) members.push(await makeMember(t.db, cellB));
  await linkChat(t.db, members[0], 'telegram', 'r1', 'default');
  await linkChat(t.db, members[4], 'zalo', 'r2', 'default');
  const committee = await makeMember(t.db, cellB, { fullName: 'Hoàng Văn Thường Trực' });
  await grantRole(t.db, (await ensureMemberPrincipal(t.db, committee.id)).id, commune.id, 'committee');
  await linkChat(t.db, committee, 'telegram', 'r3', 'default');
  cookie = await consoleSignIn(app, deps, 'r3');
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const report = async (query: string) => {
  const res = await app.inject({ url: `/console/units/${commune.id}/report.docx?${query}`, headers: { cookie } });
  expect(res.statusCode).toBe(200);
  const text = (await mammoth.extractRawText({ buffer: res.rawPayload })).value;
  return { res, text, lines: text.split('\n').filter((l) => l.trim()) };
};

describe('the Báo cáo sơ kết', () => {
  it('is issued by the committee, numbered, placed, signed with title and name, and its tables add up', async () => {
    // The office sets what its documents carry once, in the console.
    const saved = await postConsoleForm(
      app,
      cookie,
      `/console/units/${commune.id}`,
      `/console/units/${commune.id}/document-settings`,
      { issuerName: '', locality: '', signerName: 'Nông Thị Bí Thư', signerTitle: 'deputy_secretary' },
    );
    expect(saved.statusCode).toBe(303);
    const { res, lines } = await report('month=2026-11&number=12');
    expect(res.headers['content-disposition']).toContain('bao-cao-so-ket-thang-11-2026.docx');
    // Header (HD 36): the body above, the committee in capitals, a star, the number and ký hiệu.
    expect(lines.slice(0, 4)).toEqual(['ĐẢNG BỘ TỈNH LẠNG SƠN', 'ĐẢNG ỦY XÃ ĐỒNG ĐĂNG', '*', 'Số 12-BC/ĐU']);
    expect(lines).toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
    expect(lines).toContain('Đồng Đăng, ngày 07 tháng 12 năm 2026');
    expect(lines).toContain('BÁO CÁO');
    expect(lines.join('\n')).toContain('hoạt động trong 30 ngày qua (tự thực hiện ít nhất một việc');
    // Figures by unit with a total row: 8 members in the deployed cells, 3 linked.
    const total = lines.indexOf('Cộng');
    expect(lines.slice(total, total + 5)).toEqual(['Cộng', '8', '3', '37,5 %', '0']);
    // Every cell in the meetings table, those that did not meet named; the excluded cell left out.
    expect(lines.filter((l) => l === 'Chưa sinh hoạt trên nền tảng')).toHaveLength(2);
    expect(lines.join('\n')).toContain(
      'Chi bộ chưa sinh hoạt trên nền tảng: Chi bộ thôn Bản Huấn; Chi bộ thôn Nà Lầu.',
    );
    expect(lines.join('\n')).toContain('Không tính vào số liệu: Chi bộ Công an xã (0 đảng viên; Ngành riêng).');
    // The signature: on the committee's behalf, the title, the name.
    const sign = lines.indexOf('T/M ĐẢNG ỦY');
    expect(lines.slice(sign, sign + 3)).toEqual(['T/M ĐẢNG ỦY', 'PHÓ BÍ THƯ', 'Nông Thị Bí Thư']);
    expect(lines).toContain('- Đảng ủy tỉnh Lạng Sơn (để báo cáo),');
  });

  it('without a number leaves room for the register', async () => {
    const { lines } = await report('month=2026-11&number=');
    expect(lines[3]).toMatch(/^Số +-BC\/ĐU$/);
  });

  it('refuses a bad setting with a page and changes nothing', async () => {
    const bad = await postConsoleForm(
      app,
      cookie,
      `/console/units/${commune.id}`,
      `/console/units/${commune.id}/document-settings`,
      { locality: 'Hà Nội', signerTitle: 'chairman' },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^text\/html/);
    const [row] = await t.db.query<{ locality: string | null }>(
      `select locality from org_document_settings where org_id = $1`,
      [commune.id],
    );
    expect(row.locality).toBeNull();
  });

  it('the minutes take the locality the committee set', async () => {
    expect((await headerNames(t.db, cellA.id)).locality).toBe('Đồng Đăng');
    await postConsoleForm(
      app,
      cookie,
      `/console/units/${commune.id}`,
      `/console/units/${commune.id}/document-settings`,
      {
        locality: 'Thị trấn Đồng Đăng',
        signerTitle: '',
      },
    );
    expect((await headerNames(t.db, cellA.id)).locality).toBe('Thị trấn Đồng Đăng');
    const { lines } = await report('month=2026-11');
    expect(lines).toContain('Thị trấn Đồng Đăng, ngày 07 tháng 12 năm 2026');
  });
});
