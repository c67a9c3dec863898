/**
 * Organisations, members, roles and bad input through the real HTTP app on a real database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { makeMember, makeOrg, makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';
import type { App } from '../../api/server.ts';
import { migrate } from '../../api/db/migrate.ts';

let t: TestDb;
let app: App;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let admin: string;
let secretaryA: string;

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db));
  tree = await makeOrgTree(t.db);
  admin = (await makeUserWithRole(t.db, tree.province, 'admin')).token;
  secretaryA = (await makeSecretary(t.db, tree.cellA)).token;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const count = async (table: string) =>
  (await t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;
const member = (extra: Record<string, unknown> = {}) => ({
  fullName: 'Trần Thị Hoa',
  gender: 'female',
  status: 'official',
  ...extra,
});

describe('migrations', () => {
  it('running them again changes nothing', async () => {
    const before = await t.db.query(`select version from schema_migrations order by version`);
    expect(await migrate(t.db)).toEqual([]);
    expect(await t.db.query(`select version from schema_migrations order by version`)).toEqual(before);
  });
});

describe('organisation tree', () => {
  it('keeps the pre-2025 district shape and the post-2025 shape side by side', async () => {
    const old = await app.inject({
      method: 'POST',
      url: '/orgs',
      headers: auth(admin),
      payload: { parentId: tree.province.id, kind: 'district', name: 'Đảng bộ huyện Cũ' },
    });
    expect(old.statusCode).toBe(201);
    const base = await app.inject({
      method: 'POST',
      url: '/orgs',
      headers: auth(admin),
      payload: { parentId: old.json().id, kind: 'grassroots_cell', name: 'Chi bộ cơ sở Thôn 1' },
    });
    expect(base.statusCode).toBe(201);
    expect(base.json().path.split('.')).toHaveLength(3);
  });

  it('refuses a kind in the wrong place, naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orgs',
      headers: auth(admin),
      payload: { parentId: tree.province.id, kind: 'cell', name: 'Chi bộ lạc chỗ' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('parentId');
  });

  it('refuses a cycle and writes nothing', async () => {
    const before = await t.db.query(`select id, path::text from orgs order by id`);
    const res = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.commune.id}/move`,
      headers: auth(admin),
      payload: { parentId: tree.committee.id },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/vòng lặp/);
    expect(await t.db.query(`select id, path::text from orgs order by id`)).toEqual(before);
  });

  it('moves a subtree and its members follow in subtree queries', async () => {
    const other = await makeOrg(t.db, 'grassroots_committee', tree.commune, 'Đảng bộ cơ sở Khác');
    const cell = await makeOrg(t.db, 'cell', other, 'Chi bộ sẽ chuyển');
    await makeMember(t.db, cell);
    const res = await app.inject({
      method: 'POST',
      url: `/orgs/${cell.id}/move`,
      headers: auth(admin),
      payload: { parentId: tree.committee.id },
    });
    expect(res.statusCode).toBe(200);
    const adoption = await app.inject({ url: `/orgs/${tree.committee.id}/adoption`, headers: auth(admin) });
    expect(adoption.json().cells.map((c: { orgId: number }) => c.orgId)).toContain(cell.id);
  });

  it('leaves not-deployed units out of the adoption denominator and lists them apart', async () => {
    const police = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Công an', {
      deployed: false,
      notDeployedReason: 'Ngành có hệ thống riêng',
    });
    await makeMember(t.db, police);
    await makeMember(t.db, police);
    const report = (await app.inject({ url: `/orgs/${tree.committee.id}/adoption`, headers: auth(admin) })).json();
    expect(report.notDeployed.units).toEqual([
      { orgId: police.id, name: 'Chi bộ Công an', reason: 'Ngành có hệ thống riêng', members: 2 },
    ]);
    const deployedMembers = report.cells
      .filter((c: { deployed: boolean }) => c.deployed)
      .reduce((n: number, c: { members: number }) => n + c.members, 0);
    expect(report.deployed.members).toBe(deployedMembers);
  });
});

describe('members and bad input', () => {
  it('a secretary adds a member to their own cell', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.cellA.id}/members`,
      headers: auth(secretaryA),
      payload: member({ cardNumber: 'CARD-1' }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ fullName: 'Trần Thị Hoa', cellId: tree.cellA.id, cardNumber: 'CARD-1' });
  });

  it('a secretary of cell A gets 403 on cell B and nothing changes', async () => {
    const b = await makeMember(t.db, tree.cellB);
    const before = await count('members');
    const add = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.cellB.id}/members`,
      headers: auth(secretaryA),
      payload: member(),
    });
    expect(add.statusCode).toBe(403);
    const edit = await app.inject({
      method: 'PATCH',
      url: `/members/${b.id}`,
      headers: auth(secretaryA),
      payload: { fullName: 'Đổi tên' },
    });
    expect(edit.statusCode).toBe(403);
    const code = await app.inject({ method: 'POST', url: `/members/${b.id}/link-codes`, headers: auth(secretaryA) });
    expect(code.statusCode).toBe(403);
    expect(await count('members')).toBe(before);
    expect((await t.db.query(`select full_name from members where id = $1`, [b.id]))[0].full_name).toBe(b.fullName);
    expect(await count('link_codes')).toBe(0);
  });

  it.each([
    ['unknown field', member({ nickname: 'x' }), 'nickname'],
    ['wrong type', member({ birthYear: '1970' }), 'birthYear'],
    ['too long', member({ fullName: 'x'.repeat(201) }), 'fullName'],
    ['missing field', { fullName: 'A', status: 'official' }, 'gender'],
    ['bad enum', member({ status: 'honorary' }), 'status', 'phải là một trong: official, probationary'],
    ['out of range', member({ birthYear: 1800 }), 'birthYear', 'phải từ 1900'],
    ['bad characters', member({ phone: 'gọi tôi' }), 'phone'],
  ])('%s → 400 naming the field in Vietnamese, nothing written', async (_label, payload, field, says = '') => {
    const before = await count('members');
    const res = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.cellA.id}/members`,
      headers: auth(admin),
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
    expect(res.json().message).toContain(field);
    // The reason is in Vietnamese first (the English in brackets is for developers).
    expect(res.json().message).toMatch(new RegExp(`^Trường "${field}" [^(]*[à-ỹ][^(]*( \\(|\\.$)`));
    expect(res.json().message).toContain(says);
    expect(await count('members')).toBe(before);
  });

  it('malformed JSON → 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.cellA.id}/members`,
      headers: { ...auth(admin), 'content-type': 'application/json' },
      payload: '{"fullName":',
    });
    expect(res.statusCode).toBe(400);
  });

  it('duplicate card number → 409 naming the field', async () => {
    await makeMember(t.db, tree.cellA, { cardNumber: 'DUP-1' });
    const res = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.cellA.id}/members`,
      headers: auth(admin),
      payload: member({ cardNumber: 'DUP-1' }),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().field).toBe('cardNumber');
  });

  it('a member cannot be assigned to a unit that is not a cell', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.committee.id}/members`,
      headers: auth(admin),
      payload: member(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('cellId');
  });

  it('no token → 401; forged token → 401', async () => {
    expect((await app.inject({ url: `/orgs/${tree.cellA.id}/members` })).statusCode).toBe(401);
    expect((await app.inject({ url: `/orgs/${tree.cellA.id}/members`, headers: auth('sdv_forged') })).statusCode).toBe(
      401,
    );
  });

  it('records dated facts and an official transfer with history', async () => {
    const m = await makeMember(t.db, tree.cellA);
    const exempt = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/periods`,
      headers: auth(admin),
      payload: { kind: 'exempt', startsOn: '2025-01-01', reason: 'Tuổi cao, sức yếu' },
    });
    expect(exempt.statusCode).toBe(201);
    const temp = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/periods`,
      headers: auth(admin),
      payload: { kind: 'temporary_transfer', startsOn: '2026-01-01', endsOn: '2026-06-30' },
    });
    expect(temp.statusCode).toBe(400);
    expect(temp.json().field).toBe('hostCellId');
    const moved = await app.inject({
      method: 'POST',
      url: `/members/${m.id}/transfer`,
      headers: auth(admin),
      payload: { toCellId: tree.cellB.id, transferredOn: '2026-02-01' },
    });
    expect(moved.statusCode).toBe(200);
    const detail = (await app.inject({ url: `/members/${m.id}`, headers: auth(admin) })).json();
    expect(detail.cellId).toBe(tree.cellB.id);
    expect(detail.transfers).toEqual([
      { fromCellId: tree.cellA.id, toCellId: tree.cellB.id, transferredOn: '2026-02-01', note: null },
    ]);
    expect(detail.periods).toHaveLength(1);
  });
});

describe('import and export', () => {
  const csv = (rows: string[]) =>
    ['Họ và tên,Giới tính,Năm sinh,Số thẻ đảng,Loại đảng viên,Ngày kết nạp', ...rows].join('\n');
  const upload = (cell: number, body: string | Buffer, type = 'text/csv', token = admin) =>
    app.inject({
      method: 'POST',
      url: `/orgs/${cell}/members/import`,
      headers: { ...auth(token), 'content-type': type },
      payload: body,
    });

  it('imports nothing when any row is bad, and names each bad line and reason', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Nhập liệu');
    const res = await upload(
      cell.id,
      csv([
        'Nguyễn Văn An,Nam,1980,IMP-1,Chính thức,19/05/2005',
        'Lê Thị Bình,Nữ,19x0,IMP-2,Chính thức,01/01/2010',
        'Phạm Văn Cường,Nam,1990,IMP-1,Dự bị,',
        'Hoàng Văn Dũng,Khác,1991,,Chinh thuc,',
      ]),
    );
    expect(res.statusCode).toBe(400);
    const problems = res.json().data.problems as { line: number; field: string }[];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, field: 'birthYear' }),
        expect.objectContaining({ line: 4, field: 'admittedOn', column: 'Ngày kết nạp' }),
        expect.objectContaining({ line: 4, field: 'cardNumber' }),
        expect.objectContaining({ line: 5, field: 'gender' }),
      ]),
    );
    expect((await t.db.query(`select count(*)::int n from members where cell_id = $1`, [cell.id]))[0].n).toBe(0);
  });

  it('exports a cell in the Vietnamese order of party lists: by given name, Đ after D', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Thứ tự');
    for (const fullName of ['Nguyễn Văn Đức', 'Trần Thị Dũng', 'Đặng An', 'Bùi Văn Ánh', 'Lê Thị Dung'])
      await makeMember(t.db, cell, { fullName });
    const exported = await app.inject({ url: `/orgs/${cell.id}/members?format=csv`, headers: auth(admin) });
    const names = exported.body
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^\uFEFF/, '').split(',')[0]);
    expect(names).toEqual(['Đặng An', 'Bùi Văn Ánh', 'Lê Thị Dung', 'Trần Thị Dũng', 'Nguyễn Văn Đức']);
  });

  it('an exported list, corrected and imported back, updates the members it names — previewed first', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Nhập lại');
    const a = await makeMember(t.db, cell, { fullName: 'Hà Văn Cũ', cardNumber: 'RE-1', phone: null });
    await makeMember(t.db, cell, { fullName: 'Lý Thị Giữ', cardNumber: 'RE-2' });
    const exported = await app.inject({ url: `/orgs/${cell.id}/members?format=csv`, headers: auth(admin) });
    const edited = `${exported.body
      .replace('Hà Văn Cũ', 'Hà Văn Mới')
      .trimEnd()}\nTạ Văn Thêm,Nam,1980,RE-3,,Chi bộ Nhập lại,Chính thức,01/02/2010,01/02/2011\n`;
    const count = async () =>
      (await t.db.query(`select count(*)::int n from members where cell_id = $1`, [cell.id]))[0].n;
    const preview = await app.inject({
      method: 'POST',
      url: `/orgs/${cell.id}/members/import?preview=true`,
      headers: { ...auth(admin), 'content-type': 'text/csv' },
      payload: edited,
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({
      preview: true,
      imported: 1,
      updated: 1,
      unchanged: 1,
      added: ['Tạ Văn Thêm'],
      changed: [{ fullName: 'Hà Văn Mới', changes: [{ column: 'Họ và tên', from: 'Hà Văn Cũ', to: 'Hà Văn Mới' }] }],
    });
    expect(await count()).toBe(2);
    expect((await upload(cell.id, edited)).json()).toMatchObject({ preview: false, imported: 1, updated: 1 });
    expect(await count()).toBe(3);
    const [renamed] = await t.db.query<{ full_name: string }>(`select full_name from members where id = $1`, [a.id]);
    expect(renamed.full_name).toBe('Hà Văn Mới');
  });

  it('imports every row of a good file, headers typed without diacritics, ; separated', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Không dấu');
    const res = await upload(
      cell.id,
      'Ho va ten;Gioi tinh;So the dang;Loai dang vien;Ngay ket nap\n' +
        'Võ Văn Em;nam;IMP-10;du bi;02/09/2026\n' +
        'Đỗ Thị Gấm;Nữ;IMP-11;Chính thức;03/02/2000\n',
    );
    expect(res.json()).toMatchObject({ imported: 2, updated: 0 });
    const rows = await t.db.query(
      `select full_name, status, probation_ends_on from members where cell_id = $1 order by card_number desc`,
      [cell.id],
    );
    expect(rows).toEqual([
      { full_name: 'Đỗ Thị Gấm', status: 'official', probation_ends_on: null },
      { full_name: 'Võ Văn Em', status: 'probationary', probation_ends_on: '2027-09-02' },
    ]);
  });

  it('exports CSV and XLSX that import back unchanged', async () => {
    const source = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Nguồn');
    await makeMember(t.db, source, { fullName: 'Bùi Thị Hằng', gender: 'female', cardNumber: 'RT-1' });
    await makeMember(t.db, source, {
      fullName: 'Ngô Văn Khải',
      gender: 'male',
      cardNumber: null,
      status: 'probationary',
      admittedOn: '2026-04-30',
      officialOn: null,
    });
    const exported = await app.inject({ url: `/orgs/${source.id}/members?format=csv`, headers: auth(admin) });
    expect(exported.headers['content-type']).toMatch(/text\/csv/);
    expect(exported.body).toContain('Bùi Thị Hằng');
    const xlsx = await app.inject({ url: `/orgs/${source.id}/members?format=xlsx`, headers: auth(admin) });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets[0].getRow(1).getCell(1).value).toBe('Họ và tên');

    // Round trip into another cell: move card numbers out of the way first (they are unique).
    await t.db.query(`update members set card_number = null where cell_id = $1`, [source.id]);
    const target = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Đích');
    const csvBack = exported.body.replace(/Chi bộ Nguồn/g, 'Chi bộ Đích');
    expect((await upload(target.id, csvBack)).json()).toMatchObject({ imported: 2, updated: 0 });
    const xlsxRes = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.committee.id}/members/import`,
      headers: { ...auth(admin), 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: xlsx.rawPayload,
    });
    // Same rows again: card RT-1 is now a member of Chi bộ Đích, and a list cannot move her to
    // Chi bộ Nguồn (that is a transfer), so the whole file is refused.
    expect(xlsxRes.statusCode).toBe(400);
    await t.db.query(`update members set card_number = null where card_number = 'RT-1'`);
    const again = await app.inject({
      method: 'POST',
      url: `/orgs/${tree.committee.id}/members/import`,
      headers: { ...auth(admin), 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: xlsx.rawPayload,
    });
    expect(again.json()).toMatchObject({ imported: 2, updated: 0 });
    const names = await t.db.query(`select m.full_name, m.status from members m where m.cell_id = $1 order by 1`, [
      source.id,
    ]);
    expect(names).toEqual([
      { full_name: 'Bùi Thị Hằng', status: 'official' },
      { full_name: 'Bùi Thị Hằng', status: 'official' },
      { full_name: 'Ngô Văn Khải', status: 'probationary' },
      { full_name: 'Ngô Văn Khải', status: 'probationary' },
    ]);
  });

  it('a secretary cannot import into another cell', async () => {
    const res = await upload(tree.cellB.id, csv(['X,Nam,1980,,Chính thức,']), 'text/csv', secretaryA);
    expect(res.statusCode).toBe(403);
  });
});
