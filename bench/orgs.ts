/**
 * bench:orgs — subtree member counts at province scale on PostgreSQL, index-backed
 * (ltree path copied onto members, GiST) against a naive recursive CTE over parent ids,
 * both in the same run on the same data; and the province count the console uses: the
 * per-cell counters (migration 061) summed over the cells a path-prefix B-tree on the
 * orgs' path text finds (migration 062), against the GiST count as its baseline.
 *
 *   npm run bench:orgs -- --members 1000000     (default; ≥ 10 000 cells of 100 members)
 */
import type { Db } from '../api/db/connect.ts';
import { benchArgs, round, runBench, withBenchDatabase } from './args.ts';

const { members, runs } = benchArgs({ members: 1_000_000, runs: 5 });
const PER_CELL = 100;
const CELLS_PER_COMMITTEE = 10;
const COMMITTEES_PER_COMMUNE = 10;

async function main() {
  await withBenchDatabase('bench_orgs', 4, async (db) => {
    const t0 = performance.now();
    const shape = await generateProvince(db, members);
    const loadS = (performance.now() - t0) / 1000;
    log(`loaded ${members} members in ${shape.cells} cells (${shape.communes} communes) in ${round(loadS, 1)} s`);

    const cases = [
      { label: 'province count', path: shape.rootPath, id: shape.rootId, breakdown: false },
      { label: 'province breakdown by unit', path: shape.rootPath, id: shape.rootId, breakdown: true },
      { label: 'commune count', path: shape.communePath, id: shape.communeId, breakdown: false },
      { label: 'cell count', path: shape.cellPath, id: shape.cellId, breakdown: false },
    ];
    let indexedTotal = 0;
    let naiveTotal = 0;
    log('case                          indexed ms   naive ms   speedup');
    for (const c of cases) {
      const indexed = await timeMedian(() => (c.breakdown ? indexedBreakdown(db, c.path) : indexedCount(db, c.path)));
      const naive = await timeMedian(() => (c.breakdown ? naiveBreakdown(db, c.id) : naiveCount(db, c.id)));
      if (JSON.stringify(indexed.result) !== JSON.stringify(naive.result))
        throw new Error(`${c.label}: results differ`);
      indexedTotal += indexed.ms;
      naiveTotal += naive.ms;
      const speedup = round(naive.ms / indexed.ms).toString();
      log(
        `${c.label.padEnd(30)}${round(indexed.ms).toString().padStart(10)}` +
          `${round(naive.ms).toString().padStart(11)}${speedup.padStart(10)}`,
      );
    }
    const gist = await timeMedian(() => indexedCount(db, shape.rootPath));
    const prefix = await timeMedian(() => prefixCount(db, shape.rootPath));
    if (gist.result !== prefix.result) throw new Error(`province count differs: ${gist.result} vs ${prefix.result}`);
    log(
      `province count: ltree GiST over members ${round(gist.ms)} ms (baseline); ` +
        `per-cell counters over a path-prefix B-tree ${round(prefix.ms)} ms`,
    );
    console.log(
      JSON.stringify({
        bench: 'orgs',
        members,
        cells: shape.cells,
        indexed_ms: round(indexedTotal),
        naive_ms: round(naiveTotal),
        speedup: round(naiveTotal / indexedTotal),
        province_count_gist_ms: round(gist.ms),
        province_count_ms: round(prefix.ms),
      }),
    );
  });
}

/** province → communes → grassroots committees → cells → members, all generated in SQL. */
async function generateProvince(db: Db, total: number) {
  const cells = Math.max(1, Math.ceil(total / PER_CELL));
  const committees = Math.ceil(cells / CELLS_PER_COMMITTEE);
  const communes = Math.ceil(committees / COMMITTEES_PER_COMMUNE);
  await db.exec(`
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      values (1, null, 'province', 'Tỉnh bench', '1');
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      select 1 + g, 1, 'commune', 'Xã ' || g, text2ltree('1.' || (1 + g)) from generate_series(1, ${communes}) g;
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
    select setval(pg_get_serial_sequence('orgs', 'id'), (select max(id) from orgs));
    insert into members (full_name, gender, birth_year, cell_id, cell_path, status)
      select 'Đảng viên ' || g, case when g % 2 = 0 then 'male' else 'female' end, 1950 + g % 50, c.id, c.path,
             case when g % 31 = 0 then 'probationary' else 'official' end
        from generate_series(0, ${total - 1}) g
        join orgs c on c.id = 2 + ${communes + committees} + g / ${PER_CELL};
    analyze orgs; analyze members;`);
  // The counters were all rewritten by the bulk insert's trigger; autovacuum would tidy them.
  await db.exec('vacuum analyze cell_figures');
  const [commune] = await db.query<{ id: number; path: string }>(
    `select id, path::text from orgs where kind = 'commune' order by id limit 1`,
  );
  const [cell] = await db.query<{ id: number; path: string }>(
    `select id, path::text from orgs where kind = 'cell' order by id limit 1`,
  );
  return {
    cells,
    communes,
    rootId: 1,
    rootPath: '1',
    communeId: commune.id,
    communePath: commune.path,
    cellId: cell.id,
    cellPath: cell.path,
  };
}

const indexedCount = async (db: Db, path: string) =>
  (await db.query(`select count(*)::int as n from members where cell_path <@ text2ltree($1) and active`, [path]))[0].n;

/** The console's count: the per-cell counters in one B-tree range on the cells' path text. */
const prefixCount = async (db: Db, path: string) =>
  (
    await db.query(
      `select coalesce(sum(members), 0)::int as n from cell_figures where path >= $1 and path < $1 || '/'`,
      [path],
    )
  )[0].n;

/** Members per direct child unit of the root: the label after the root's in each path. */
const indexedBreakdown = (db: Db, path: string) =>
  db.query(
    `select ltree2text(subpath(cell_path, nlevel(text2ltree($1)), 1))::int as unit, count(*)::int as n
       from members where cell_path <@ text2ltree($1) and active group by 1 order by 1`,
    [path],
  );

const naiveCount = async (db: Db, id: number) =>
  (
    await db.query(
      `with recursive sub(id) as (select $1::int union all select o.id from orgs o join sub on o.parent_id = sub.id)
     select count(*)::int as n from members m join sub on sub.id = m.cell_id where m.active`,
      [id],
    )
  )[0].n;

const naiveBreakdown = (db: Db, id: number) =>
  db.query(
    `with recursive sub(id, unit) as (
       select o.id, o.id from orgs o where o.parent_id = $1
       union all select o.id, sub.unit from orgs o join sub on o.parent_id = sub.id)
     select sub.unit, count(*)::int as n from members m join sub on sub.id = m.cell_id
      where m.active group by 1 order by 1`,
    [id],
  );

async function timeMedian<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let result = await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], result };
}

const log = (s: string) => console.log(s);

runBench(main);
