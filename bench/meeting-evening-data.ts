/**
 * A national meeting evening's starting data, in SQL (bench:meetings, bench:failover): N cells of
 * `perCell` official members under one committee, a principal and a known API token for each
 * (`<prefix><member id>`; the cell's secretary `<prefix>s<cell id>`), a meeting in progress and
 * one open motion per cell — half by secret ballot.
 */
import type { Db } from '../api/db/connect.ts';

export async function generateMeetingEvening(
  db: Db,
  o: { cells: number; perCell: number; tokenPrefix: string; label: string },
): Promise<void> {
  await db.exec(`
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      values (1, null, 'province', 'Tỉnh ${o.label}', '1'), (2, 1, 'grassroots_committee', 'Đảng bộ ${o.label}', '1.2');
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      select 2 + g, 2, 'cell', 'Chi bộ ' || g, text2ltree('1.2.' || (2 + g)) from generate_series(1, ${o.cells}) g;
    select setval(pg_get_serial_sequence('orgs', 'id'), (select max(id) from orgs));
    insert into members (full_name, gender, cell_id, cell_path, status)
      select 'Đảng viên ' || c.id || '-' || k, 'male', c.id, c.path, 'official'
        from orgs c, generate_series(1, ${o.perCell}) k where c.kind = 'cell';
    insert into principals (display_name, member_id) select full_name, id from members;
    insert into api_tokens (principal_id, token_hash)
      select p.id, encode(sha256(convert_to('${o.tokenPrefix}' || p.member_id, 'UTF8')), 'hex') from principals p;
    insert into principals (display_name) select 'Bí thư ' || id from orgs where kind = 'cell';
    insert into role_grants (principal_id, org_id, role)
      select p.id, o.id, 'secretary'
        from principals p join orgs o on p.display_name = 'Bí thư ' || o.id where p.member_id is null;
    insert into api_tokens (principal_id, token_hash)
      select p.id, encode(sha256(convert_to('${o.tokenPrefix}s' || o.id, 'UTF8')), 'hex')
        from principals p join orgs o on p.display_name = 'Bí thư ' || o.id where p.member_id is null;
    insert into meetings (cell_id, kind, starts_at, mode, status, opened_at, checkin_code)
      select id, 'regular', now(), 'hybrid', 'in_progress', now(), '123456' from orgs where kind = 'cell';
    insert into motions (meeting_id, kind, title, ballot)
      select id, case when id % 2 = 0 then 'question' else 'resolution' end, 'Biểu quyết',
             case when id % 2 = 0 then 'secret' else 'open' end from meetings;
  `);
}
