/**
 * bench:dashboard — the console's pages on a province-sized organisation on PostgreSQL:
 * 200 000 members in ~3 300 cells, 12 months of meetings, monthly province-wide notices
 * with read receipts, chat accounts on three channels. Measures the server time of the
 * province dashboard, a commune page and a cell page (the real HTTP app, in process),
 * against the baseline of the adoption figures computed by scanning members (the API's
 * /orgs/:id/adoption query) in the same run.
 *
 *   npm run bench:dashboard -- --members 200000 [--runs 40]
 */
import { buildServer } from '../api/server.ts';
import { readConfig } from '../api/config.ts';
import type { Db } from '../api/db/connect.ts';
import type { Deps } from '../api/context.ts';
import { createPrincipal } from '../api/auth/principal.ts';
import { grantRole } from '../api/auth/roles.ts';
import { issueConsoleLink } from '../api/console/issue-console-link.ts';
import { openConsoleSession } from '../api/console/open-console-session.ts';
import { subtreeCellStats } from '../api/orgs/repository.ts';
import pino from 'pino';
import { benchArgs, percentile, round, runBench, withBenchDatabase } from './args.ts';

const { members, runs } = benchArgs({ members: 200_000, runs: 40 });
const PER_CELL = 60;
const CELLS_PER_COMMITTEE = 10;
const COMMITTEES_PER_COMMUNE = 3;
const MONTHS = 12;

async function main() {
  await withBenchDatabase('bench_dashboard', 10, async (db) => {
    const t0 = performance.now();
    const shape = await generateProvince(db, members);
    log(
      `loaded ${members} members, ${shape.cells} cells, ${shape.communes} communes, ${shape.meetings} meetings, ` +
        `${shape.receipts} read receipts in ${round((performance.now() - t0) / 1000, 1)} s`,
    );
    const deps: Deps = {
      db,
      clock: { now: () => new Date() },
      log: pino({ level: 'silent' }),
      config: { ...readConfig({}), demo: false },
      linkSecret: 'bench-secret',
    };
    const app = await buildServer(deps);
    await app.ready();
    const committee = await createPrincipal(db, 'Bench committee');
    await grantRole(db, committee.id, shape.rootId, 'committee');
    const cookie = await signIn(deps, committee);

    const baseline = await time(async () => {
      await subtreeCellStats(db, shape.rootPath);
    });
    log(`baseline: adoption figures by scanning members (API query) p95 ${round(baseline.p95)} ms`);

    const pages = {
      province: `/console/units/${shape.rootId}`,
      commune: `/console/units/${shape.communeId}`,
      cell: `/console/units/${shape.cellId}`,
    };
    const result: Record<string, number> = {};
    for (const [name, url] of Object.entries(pages)) {
      let bytes = 0;
      const r = await time(async () => {
        const res = await app.inject({ method: 'GET', url, headers: { cookie } });
        if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
        bytes = res.rawPayload.length;
      });
      result[name] = r.p95;
      log(`${name.padEnd(9)} page: p50 ${round(r.p50)} ms, p95 ${round(r.p95)} ms, ${round(bytes / 1024, 1)} KB`);
    }
    await app.close();
    console.log(
      JSON.stringify({
        bench: 'dashboard',
        members,
        baseline_scan_p95_ms: round(baseline.p95),
        province_p95_ms: round(result.province),
        commune_p95_ms: round(result.commune),
        cell_p95_ms: round(result.cell),
      }),
    );
  });
}

async function signIn(deps: Deps, principal: { id: number; displayName: string; memberId: number | null }) {
  const link = await issueConsoleLink(deps, principal);
  const { sessionToken } = await openConsoleSession(deps, link.url.split('/').at(-1)!, 'bench');
  return `sdv_console=${sessionToken}`;
}

/**
 * province → communes → grassroots committees → cells → members, written in SQL. Bulk rows
 * are loaded with triggers off (session_replication_role) and the counters the triggers keep
 * are then rebuilt in one statement each, as migration 061 does for existing data.
 */
async function generateProvince(db: Db, total: number) {
  const cells = Math.max(1, Math.ceil(total / PER_CELL));
  const committees = Math.ceil(cells / CELLS_PER_COMMITTEE);
  const communes = Math.ceil(committees / COMMITTEES_PER_COMMUNE);
  await db.exec(`
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      values (1, null, 'province', 'Đảng bộ tỉnh Bench', '1');
    insert into orgs (id, parent_id, kind, name, path, deployed, not_deployed_reason) overriding system value
      select 1 + g, 1, 'commune', 'Đảng bộ xã ' || g, text2ltree('1.' || (1 + g)), g % 50 <> 7,
             case when g % 50 = 7 then 'Lực lượng vũ trang triển khai riêng' end
        from generate_series(1, ${communes}) g;
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      select 1 + ${communes} + g, 1 + ((g - 1) / ${COMMITTEES_PER_COMMUNE} + 1), 'grassroots_committee',
             'Đảng bộ cơ sở ' || g,
             text2ltree('1.' || (1 + ((g - 1) / ${COMMITTEES_PER_COMMUNE} + 1)) || '.' || (1 + ${communes} + g))
        from generate_series(1, ${committees}) g;
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      select 1 + ${communes + committees} + g, p.id, 'cell', 'Chi bộ ' || g,
             p.path || text2ltree((1 + ${communes + committees} + g)::text)
        from generate_series(1, ${cells}) g
        join orgs p on p.id = 1 + ${communes} + ((g - 1) / ${CELLS_PER_COMMITTEE} + 1);
    select setval(pg_get_serial_sequence('orgs', 'id'), (select max(id) from orgs));`);
  await db.tx(async (sql) => {
    await sql.exec(`set local session_replication_role = replica;
    insert into members (full_name, gender, birth_year, cell_id, cell_path, status)
      select 'Đảng viên ' || g, case when g % 2 = 0 then 'male' else 'female' end, 1950 + g % 50, c.id, c.path,
             case when g % 31 = 0 then 'probationary' else 'official' end
        from generate_series(0, ${total - 1}) g
        join orgs c on c.id = 2 + ${communes + committees} + g / ${PER_CELL};
    insert into chat_accounts (channel, bot_key, external_user_id, chat_id, member_id, linked_at)
      select case when id % 20 = 0 then 'web' when id % 3 = 0 then 'zalo' else 'telegram' end,
             'b', id::text, id::text, id,
             now() - make_interval(days => (id * 7) % 360)
        from members where id % 10 <> 3;
    insert into meetings (cell_id, kind, topic, starts_at, mode, status, opened_at, closed_at)
      select c.id, case when m % 4 = 0 then 'combined' else 'regular' end,
             case when m % 4 = 0 then 'Học tập nghị quyết' end,
             date_trunc('month', now()) - make_interval(months => m) + interval '4 days 12 hours',
             case when c.id % 5 = 0 then 'online' when c.id % 7 = 0 then 'hybrid' else 'in_person' end, 'closed',
             date_trunc('month', now()) - make_interval(months => m) + interval '4 days 12 hours',
             date_trunc('month', now()) - make_interval(months => m) + interval '4 days 14 hours'
        from orgs c cross join generate_series(0, ${MONTHS - 1}) m where c.kind = 'cell'
         and date_trunc('month', now()) - make_interval(months => m) + interval '4 days 12 hours' < now();
    insert into notices (org_id, kind, title, body, publish_at, published_at)
      select 1, 'notice', 'Thông báo tháng ' || m, 'Nội dung',
             date_trunc('month', now()) - make_interval(months => m) + interval '2 days',
             date_trunc('month', now()) - make_interval(months => m) + interval '2 days'
        from generate_series(0, ${MONTHS - 1}) m;
    insert into notice_recipients (notice_id, member_id, cell_id, read_at)
      select n.id, mb.id, mb.cell_id,
             case when (mb.id + n.id) % 10 < 7 then n.published_at + make_interval(hours => (mb.id % 72)) end
        from notices n cross join members mb;`);
  });
  await db.exec(`
    select refresh_cell_figures(array(select id from orgs where kind = 'cell'));
    select rebuild_unit_months();
    insert into member_activity (member_id, cell_id, last_at)
      select r.member_id, r.cell_id, max(r.read_at) from notice_recipients r where r.read_at is not null group by 1, 2;
    select rebuild_cell_activity_days();`);
  await db.exec('vacuum analyze');
  const [commune] = await db.query<{ id: number }>(
    `select id from orgs where kind = 'commune' and deployed order by id limit 1`,
  );
  const [cell] = await db.query<{ id: number }>(`select id from orgs where kind = 'cell' order by id limit 1`);
  const [{ meetings, receipts }] = await db.query(
    `select (select count(*)::int from meetings) as meetings,
            (select count(*)::int from notice_recipients) as receipts`,
  );
  return { cells, communes, meetings, receipts, rootId: 1, rootPath: '1', communeId: commune.id, cellId: cell.id };
}

async function time(fn: () => Promise<void>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const log = (s: string) => console.log(s);

runBench(main);
