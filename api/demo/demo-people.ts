/**
 * The four people a newcomer wants to be in the demo: a member, her cell's secretary, a member
 * of the town's party committee (cấp ủy) and an editor of the assistant's documents. The seed
 * made the member and the secretary; the committee member and the editor are members of the
 * party-and-mass-organisations cell given their role here, once, so a data folder seeded by an
 * older version gets them too.
 */
import type { Sql } from '../db/connect.ts';
import { ensureMemberPrincipal } from '../auth/principal.ts';
import { grantRole, type Role } from '../auth/roles.ts';

export type DemoPersonKind = 'member' | 'secretary' | 'committee' | 'editor';

export interface DemoPerson {
  kind: DemoPersonKind;
  memberId: number;
  principalId: number;
  fullName: string;
  /** The member's own cell. */
  cellName: string;
  /** The unit the role is held on (the cell for a plain member). */
  unitId: number;
  unitName: string;
}

/** The cell whose members sit on the town committee and edit its documents in the demo. */
const OFFICE_CELL = 'Chi bộ Cơ quan Đảng – Đoàn thể';

export async function ensureDemoPeople(sql: Sql): Promise<DemoPerson[] | null> {
  const [town] = await sql.query<{ id: number; name: string }>(
    `select id, name from orgs where is_demo and kind = 'grassroots_committee' order by id limit 1`,
  );
  const [secretary] = await sql.query<{ memberId: number; cellId: number }>(
    `select p.member_id as "memberId", g.org_id as "cellId" from role_grants g
       join principals p on p.id = g.principal_id join orgs o on o.id = g.org_id
      where o.is_demo and g.role = 'secretary' and p.member_id is not null order by g.id limit 1`,
  );
  if (!town || !secretary) return null;
  const [member] = await sql.query<{ id: number }>(
    `select id from members where cell_id = $1 and id <> $2 and status = 'official' and active
      order by id limit 1`,
    [secretary.cellId, secretary.memberId],
  );
  const committee = await holderOrNew(sql, town.id, 'committee');
  const editor = await holderOrNew(sql, town.id, 'editor');
  if (!member || !committee || !editor) return null;
  // The town's reports are signed by its secretary: in the demo, the committee member.
  await sql.query(
    `insert into org_document_settings (org_id, signer_name, signer_title)
     select $1, full_name, 'secretary' from members where id = $2
     on conflict (org_id) do nothing`,
    [town.id, committee],
  );
  const people: [DemoPersonKind, number, number | null][] = [
    ['member', member.id, null],
    ['secretary', secretary.memberId, secretary.cellId],
    ['committee', committee, town.id],
    ['editor', editor, town.id],
  ];
  const out: DemoPerson[] = [];
  for (const [kind, memberId, unitId] of people) {
    const principal = await ensureMemberPrincipal(sql, memberId);
    const [row] = await sql.query<{ fullName: string; cellId: number; cellName: string; unitName: string }>(
      `select m.full_name as "fullName", c.id as "cellId", c.name as "cellName",
              coalesce((select name from orgs where id = $2), c.name) as "unitName"
         from members m join orgs c on c.id = m.cell_id where m.id = $1`,
      [memberId, unitId],
    );
    out.push({ kind, memberId, principalId: principal.id, ...row, unitId: unitId ?? row.cellId });
  }
  return out;
}

/** The member who holds `role` on the town, or the first official member of the office cell without a role. */
async function holderOrNew(sql: Sql, townId: number, role: Role): Promise<number | null> {
  const [held] = await sql.query<{ memberId: number }>(
    `select p.member_id as "memberId" from role_grants g join principals p on p.id = g.principal_id
       join members m on m.id = p.member_id
      where g.org_id = $1 and g.role = $2 and m.active order by g.id limit 1`,
    [townId, role],
  );
  if (held) return held.memberId;
  const [pick] = await sql.query<{ id: number }>(
    `select m.id from members m join orgs c on c.id = m.cell_id
      where c.is_demo and c.name = $1 and m.status = 'official' and m.active
        and not exists (select 1 from principals p join role_grants g on g.principal_id = p.id
                         where p.member_id = m.id)
      order by m.id limit 1`,
    [OFFICE_CELL],
  );
  if (!pick) return null;
  const principal = await ensureMemberPrincipal(sql, pick.id);
  await grantRole(sql, principal.id, townId, role);
  return pick.id;
}
