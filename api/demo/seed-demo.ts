/**
 * The demo party organisation from the seed report: one town party committee (đảng bộ cơ
 * sở) with 13 cells and 320 members — 310 official, 10 probationary, 155 men, 165 women —
 * and the police cell marked not deployed (its sector uses its own system).
 */
import type { Deps } from '../context.ts';
import { insertOrg, type Org } from '../orgs/repository.ts';
import { insertMembers, type NewMember } from '../members/repository.ts';
import { addMonths } from '../members/prepare-member.ts';
import { PROBATION_MONTHS } from '../rules/membership.ts';
import { versionInForce } from '../rules/rule.ts';
import { createPrincipal, ensureMemberPrincipal } from '../auth/principal.ts';
import { grantRole } from '../auth/roles.ts';
import { seededRandom, vietnameseName } from './names.ts';

export const DEMO_CELLS: { name: string; size: number; notDeployedReason?: string }[] = [
  { name: 'Chi bộ Khu phố 1', size: 38 },
  { name: 'Chi bộ Khu phố 2', size: 30 },
  { name: 'Chi bộ Khu phố 3', size: 28 },
  { name: 'Chi bộ Khu phố 4', size: 27 },
  { name: 'Chi bộ Khu phố 5', size: 26 },
  { name: 'Chi bộ Khu phố 6', size: 25 },
  { name: 'Chi bộ Cơ quan Đảng – Đoàn thể', size: 24 },
  { name: 'Chi bộ Cơ quan Chính quyền', size: 24 },
  { name: 'Chi bộ Trường THCS Thị trấn', size: 22 },
  { name: 'Chi bộ Trường Tiểu học Thị trấn', size: 21 },
  { name: 'Chi bộ Trạm Y tế', size: 20 },
  { name: 'Chi bộ Quân sự', size: 18 },
  {
    name: 'Chi bộ Công an Thị trấn',
    size: 17,
    notDeployedReason:
      'Ngành Công an dùng hệ thống riêng theo quy định của ngành; không triển khai Sổ tay trên nền tảng này.',
  },
];
const PROBATIONARY = 10;
const MEN = 155;

export interface DemoOrganisation {
  root: Org;
  committee: Org;
  cells: Org[];
  adminPrincipalId: number;
  secretaryMemberId: number;
  memberId: number;
}

export async function hasDemoData(deps: Pick<Deps, 'db'>): Promise<boolean> {
  return (await deps.db.query(`select 1 from orgs where is_demo limit 1`)).length > 0;
}

export async function seedDemo(deps: Pick<Deps, 'db'>): Promise<DemoOrganisation> {
  const rand = seededRandom(2025);
  return deps.db.tx(async (sql) => {
    const org = (input: Parameters<typeof insertOrg>[1]) => insertOrg(sql, { ...input, isDemo: true });
    const root = await org({
      parentId: null,
      kind: 'province',
      name: 'Đảng bộ tỉnh Mẫu (demo)',
      deployed: true,
      notDeployedReason: null,
    });
    const committee = await org({
      parentId: root.id,
      kind: 'grassroots_committee',
      name: 'Đảng bộ Thị trấn Hòa Bình (demo)',
      deployed: true,
      notDeployedReason: null,
    });
    const cells: Org[] = [];
    for (const c of DEMO_CELLS) {
      cells.push(
        await org({
          parentId: committee.id,
          kind: 'cell',
          name: c.name,
          deployed: !c.notDeployedReason,
          notDeployedReason: c.notDeployedReason ?? null,
        }),
      );
    }
    const total = DEMO_CELLS.reduce((n, c) => n + c.size, 0);
    const members: NewMember[] = [];
    let index = 0;
    DEMO_CELLS.forEach((c, ci) => {
      for (let k = 0; k < c.size; k++, index++) {
        // Spread probationary members and genders over the cells, exactly 10 and 155:
        // index·7 mod 320 is a permutation (7 is coprime with 320).
        const probationary = index % (total / PROBATIONARY) === 5;
        const gender = (index * 7) % total < MEN ? 'male' : 'female';
        const birthYear = 1950 + Math.floor(rand() * 50);
        const admittedOn = probationary
          ? isoDay(2026, 1 + Math.floor(rand() * 9), 1 + Math.floor(rand() * 27))
          : isoDay(2012 + Math.floor(rand() * 13), 1 + Math.floor(rand() * 12), 1 + Math.floor(rand() * 27));
        members.push({
          fullName: vietnameseName(gender, rand),
          gender,
          birthYear,
          cardNumber: `DEMO${String(index + 1).padStart(5, '0')}`,
          phone: null,
          cellId: cells[ci].id,
          status: probationary ? 'probationary' : 'official',
          admittedOn,
          // rule: probation — Điều lệ Đ5 k1
          probationEndsOn: probationary
            ? addMonths(admittedOn, versionInForce(PROBATION_MONTHS, admittedOn).value)
            : null,
          officialOn: probationary ? null : addMonths(admittedOn, versionInForce(PROBATION_MONTHS, admittedOn).value),
        });
      }
    });
    await insertMembers(sql, members);
    const [secretary, member] = await sql.query<{ id: number }>(
      `select id from members where cell_id = $1 and status = 'official' order by id limit 2`,
      [cells[0].id],
    );
    const secretaryPrincipal = await ensureMemberPrincipal(sql, secretary.id);
    await grantRole(sql, secretaryPrincipal.id, cells[0].id, 'secretary');
    const admin = await createPrincipal(sql, 'Quản trị demo');
    await grantRole(sql, admin.id, root.id, 'admin');
    await grantRole(sql, admin.id, root.id, 'editor');
    return { root, committee, cells, adminPrincipalId: admin.id, secretaryMemberId: secretary.id, memberId: member.id };
  });
}

const isoDay = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
