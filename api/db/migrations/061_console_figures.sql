-- Figures the console shows for a unit and its subtree, kept per cell as the data changes
-- so a province of 200 000 members sums ~3 300 rows instead of scanning its members.
--
-- cell_figures: members and chat adoption per cell, recomputed for the cells a statement
-- touched (members or chat_accounts). The row lock taken first serialises concurrent
-- writers of one cell; the recount that follows is a new statement, so under READ
-- COMMITTED it sees what they committed and no update is lost.
create table cell_figures (
  cell_id integer primary key references orgs(id),
  -- the cell's path as text in byte order, for path-prefix ranges (index in 062)
  path text collate "C",
  members integer not null default 0,
  official integer not null default 0,
  probationary integer not null default 0,
  linked integer not null default 0,
  linked_telegram integer not null default 0,
  linked_zalo integer not null default 0,
  linked_web integer not null default 0
);

create or replace function refresh_cell_figures(cells integer[]) returns void language plpgsql as $$
begin
  if cells is null or cardinality(cells) = 0 then return; end if;
  insert into cell_figures (cell_id) select distinct c from unnest(cells) c where c is not null
    on conflict (cell_id) do nothing;
  perform 1 from cell_figures where cell_id = any(cells) order by cell_id for update;
  update cell_figures f set
      path = (select o.path::text from orgs o where o.id = f.cell_id),
      members = coalesce(x.members, 0), official = coalesce(x.official, 0), probationary = coalesce(x.probationary, 0),
      linked = coalesce(x.linked, 0), linked_telegram = coalesce(x.tg, 0), linked_zalo = coalesce(x.zalo, 0),
      linked_web = coalesce(x.web, 0)
    from (
      select c.id,
             count(m.id) as members,
             count(m.id) filter (where m.status = 'official') as official,
             count(m.id) filter (where m.status = 'probationary') as probationary,
             count(m.id) filter (where a.channels is not null) as linked,
             count(m.id) filter (where 'telegram' = any(a.channels)) as tg,
             count(m.id) filter (where 'zalo' = any(a.channels)) as zalo,
             count(m.id) filter (where 'web' = any(a.channels)) as web
        from (select distinct c as id from unnest(cells) c) c
        left join members m on m.cell_id = c.id and m.active
        left join lateral (
          select array_agg(distinct ca.channel) as channels from chat_accounts ca
           where ca.member_id = m.id and ca.unlinked_at is null
          having count(*) > 0
        ) a on true
       group by c.id
    ) x
   where f.cell_id = x.id;
end $$;

create or replace function cell_figures_after_members() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform refresh_cell_figures(array(select distinct cell_id from new_rows));
  elsif tg_op = 'UPDATE' then
    perform refresh_cell_figures(array(select cell_id from new_rows union select cell_id from old_rows));
  else
    perform refresh_cell_figures(array(select distinct cell_id from old_rows));
  end if;
  return null;
end $$;
create trigger cell_figures_members_ins after insert on members
  referencing new table as new_rows for each statement execute function cell_figures_after_members();
create trigger cell_figures_members_upd after update on members
  referencing old table as old_rows new table as new_rows for each statement execute function cell_figures_after_members();
create trigger cell_figures_members_del after delete on members
  referencing old table as old_rows for each statement execute function cell_figures_after_members();

create or replace function cell_figures_after_accounts() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform refresh_cell_figures(array(select distinct m.cell_id from members m where m.id in (select member_id from new_rows)));
  elsif tg_op = 'UPDATE' then
    perform refresh_cell_figures(array(select distinct m.cell_id from members m
      where m.id in (select member_id from new_rows union select member_id from old_rows)));
  else
    perform refresh_cell_figures(array(select distinct m.cell_id from members m where m.id in (select member_id from old_rows)));
  end if;
  return null;
end $$;
create trigger cell_figures_accounts_ins after insert on chat_accounts
  referencing new table as new_rows for each statement execute function cell_figures_after_accounts();
create trigger cell_figures_accounts_upd after update on chat_accounts
  referencing old table as old_rows new table as new_rows for each statement execute function cell_figures_after_accounts();
create trigger cell_figures_accounts_del after delete on chat_accounts
  referencing old table as old_rows for each statement execute function cell_figures_after_accounts();

-- A unit moved elsewhere in the tree takes its cells' paths with it.
create or replace function cell_figures_follow_path() returns trigger language plpgsql as $$
begin
  update cell_figures set path = new.path::text where cell_id = new.id;
  return null;
end $$;
create trigger cell_figures_org_path after update of path on orgs
  for each row when (old.path is distinct from new.path) execute function cell_figures_follow_path();

-- unit_months: chat accounts linked and meetings held per month, for every unit (a cell and
-- each unit above it), so a province's twelve-month trend is twelve rows. Kept by
-- statement triggers; a move in the tree rebuilds it (moves are rare, admin-only).
create table unit_months (
  org_id integer not null references orgs(id),
  month date not null,
  links integer not null default 0,
  meetings integer not null default 0,
  primary key (org_id, month)
);

create or replace function unit_months_add(rows jsonb) returns void language sql as $$
  -- rows: [{"cell": id, "month": "YYYY-MM-01", "links": n, "meetings": n}, …]
  insert into unit_months (org_id, month, links, meetings)
  select a.id::int, (r->>'month')::date, sum((r->>'links')::int), sum((r->>'meetings')::int)
    from jsonb_array_elements(rows) r
    join orgs c on c.id = (r->>'cell')::int
    cross join lateral unnest(string_to_array(c.path::text, '.')) a(id)
   group by 1, 2
  on conflict (org_id, month) do update
    set links = unit_months.links + excluded.links, meetings = unit_months.meetings + excluded.meetings;
$$;

create or replace function unit_months_after_accounts() returns trigger language plpgsql as $$
begin
  perform unit_months_add((
    select coalesce(jsonb_agg(jsonb_build_object('cell', x.cell_id, 'month', x.month, 'links', x.n, 'meetings', 0)), '[]')
      from (select m.cell_id, date_trunc('month', n.linked_at at time zone 'Asia/Ho_Chi_Minh')::date as month, count(*) as n
              from new_rows n join members m on m.id = n.member_id group by 1, 2) x));
  return null;
end $$;
create trigger unit_months_accounts_ins after insert on chat_accounts
  referencing new table as new_rows for each statement execute function unit_months_after_accounts();

create or replace function unit_months_after_meetings() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform unit_months_add((
      select coalesce(jsonb_agg(jsonb_build_object('cell', x.cell_id, 'month', x.month, 'links', 0, 'meetings', x.n)), '[]')
        from (select cell_id, date_trunc('month', starts_at at time zone 'Asia/Ho_Chi_Minh')::date as month, count(*) as n
                from new_rows where status = 'closed' group by 1, 2) x));
  else
    perform unit_months_add((
      select coalesce(jsonb_agg(jsonb_build_object('cell', x.cell_id, 'month', x.month, 'links', 0, 'meetings', x.n)), '[]')
        from (select n.cell_id, date_trunc('month', n.starts_at at time zone 'Asia/Ho_Chi_Minh')::date as month, count(*) as n
                from new_rows n join old_rows o on o.id = n.id
               where n.status = 'closed' and o.status <> 'closed' group by 1, 2) x));
  end if;
  return null;
end $$;
create trigger unit_months_meetings_ins after insert on meetings
  referencing new table as new_rows for each statement execute function unit_months_after_meetings();
create trigger unit_months_meetings_upd after update on meetings
  referencing old table as old_rows new table as new_rows for each statement execute function unit_months_after_meetings();

create or replace function rebuild_unit_months() returns void language plpgsql as $$
begin
  delete from unit_months;
  perform unit_months_add((
    select coalesce(jsonb_agg(jsonb_build_object('cell', x.cell_id, 'month', x.month, 'links', x.links, 'meetings', x.meetings)), '[]')
      from (
        select cell_id, month, sum(links) as links, sum(meetings) as meetings from (
          select m.cell_id, date_trunc('month', a.linked_at at time zone 'Asia/Ho_Chi_Minh')::date as month, count(*) as links, 0 as meetings
            from chat_accounts a join members m on m.id = a.member_id group by 1, 2
          union all
          select cell_id, date_trunc('month', starts_at at time zone 'Asia/Ho_Chi_Minh')::date, 0, count(*)
            from meetings where status = 'closed' group by 1, 2) u
        group by 1, 2) x));
end $$;

create or replace function unit_months_after_move() returns trigger language plpgsql as $$
begin
  if exists (select 1 from new_rows n join old_rows o on o.id = n.id where n.path is distinct from o.path) then
    perform rebuild_unit_months();
    perform rebuild_unit_activity_days();
  end if;
  return null;
end $$;
create trigger unit_months_orgs_upd after update on orgs
  referencing old table as old_rows new table as new_rows for each statement execute function unit_months_after_move();

-- member_activity: when a member last did something on the platform (read a notice, opened a
-- meeting document, checked in, voted in an open ballot, sent feedback). Secret ballots are
-- deliberately not counted: a timestamp beside participation would help link a member to a
-- choice.
create table member_activity (
  member_id integer primary key references members(id),
  cell_id integer not null references orgs(id),
  last_at timestamptz not null
);
create index member_activity_cell_at on member_activity (cell_id, last_at);

-- unit_activity_days: for every unit (a cell and each unit above it), how many members had
-- their last activity on each day; "active in the last 30 days" is then at most 30 rows per
-- unit. Moving a member's last day moves one count, in a fixed (org, day) order.
create table unit_activity_days (
  org_id integer not null references orgs(id),
  day date not null,
  n integer not null default 0,
  primary key (org_id, day)
);

create or replace function unit_activity_shift(cell integer, old_day date, new_day date) returns void language sql as $$
  insert into unit_activity_days (org_id, day, n)
  select a.id::int, d.day, sum(d.delta)::int
    from orgs c cross join lateral unnest(string_to_array(c.path::text, '.')) a(id)
    cross join (values (old_day, -1), (new_day, 1)) d(day, delta)
   where c.id = cell and d.day is not null
   group by 1, 2 order by 1, 2
  on conflict (org_id, day) do update set n = unit_activity_days.n + excluded.n;
$$;

create or replace function vn_day(at timestamptz) returns date language sql stable as $$
  select (at at time zone 'Asia/Ho_Chi_Minh')::date;
$$;

create or replace function touch_member_activity(member integer, at timestamptz) returns void language plpgsql as $$
declare
  old_at timestamptz;
  cell integer;
begin
  insert into member_activity (member_id, cell_id, last_at)
  select id, cell_id, at from members where id = member
  on conflict (member_id) do nothing
  returning cell_id into cell;
  if found then
    perform unit_activity_shift(cell, null, vn_day(at));
    return;
  end if;
  select a.last_at, a.cell_id into old_at, cell from member_activity a where a.member_id = member for update;
  if not found or at <= old_at then return; end if;
  update member_activity set last_at = at where member_id = member;
  if vn_day(old_at) <> vn_day(at) then perform unit_activity_shift(cell, vn_day(old_at), vn_day(at)); end if;
end $$;

-- One branch per table: PL/pgSQL resolves a field of NEW only in the branch that runs.
create or replace function member_activity_from_row() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'notice_recipients' then
    perform touch_member_activity(new.member_id, new.read_at);
  elsif tg_table_name = 'meeting_attendance' then
    perform touch_member_activity(new.member_id, new.checked_in_at);
  elsif tg_table_name = 'votes' then
    perform touch_member_activity(new.member_id, new.cast_at);
  elsif tg_table_name = 'document_opens' then
    perform touch_member_activity(new.member_id, new.opened_at);
  else
    perform touch_member_activity(new.member_id, new.created_at);
  end if;
  return null;
end $$;
create trigger member_activity_notice_ins after insert on notice_recipients
  for each row when (new.read_at is not null) execute function member_activity_from_row();
create trigger member_activity_notice_upd after update of read_at on notice_recipients
  for each row when (old.read_at is null and new.read_at is not null) execute function member_activity_from_row();
create trigger member_activity_attendance_ins after insert on meeting_attendance
  for each row when (new.checked_in_at is not null) execute function member_activity_from_row();
create trigger member_activity_attendance_upd after update of checked_in_at on meeting_attendance
  for each row when (old.checked_in_at is null and new.checked_in_at is not null)
  execute function member_activity_from_row();
create trigger member_activity_votes after insert on votes for each row execute function member_activity_from_row();
create trigger member_activity_docs after insert on document_opens for each row execute function member_activity_from_row();
create trigger member_activity_feedback after insert on feedback for each row execute function member_activity_from_row();

-- A member moved to another cell takes their activity with them.
create or replace function member_activity_follow_cell() returns trigger language plpgsql as $$
declare
  day date;
begin
  update member_activity set cell_id = new.cell_id where member_id = new.id returning vn_day(last_at) into day;
  if found then
    perform unit_activity_shift(old.cell_id, day, null);
    perform unit_activity_shift(new.cell_id, null, day);
  end if;
  return null;
end $$;

create or replace function rebuild_unit_activity_days() returns void language sql as $$
  delete from unit_activity_days;
  insert into unit_activity_days (org_id, day, n)
  select u.id::int, vn_day(a.last_at), count(*)::int
    from member_activity a join orgs c on c.id = a.cell_id
    cross join lateral unnest(string_to_array(c.path::text, '.')) u(id)
   group by 1, 2;
$$;
create trigger member_activity_member_cell after update of cell_id on members
  for each row when (old.cell_id is distinct from new.cell_id) execute function member_activity_follow_cell();

-- What existed before this migration.
select refresh_cell_figures(array(select id from orgs where kind in ('cell', 'grassroots_cell')));
select rebuild_unit_months();
insert into member_activity (member_id, cell_id, last_at)
select m.id, m.cell_id, x.at from members m join (
  select member_id, max(at) as at from (
    select member_id, read_at as at from notice_recipients where read_at is not null
    union all select member_id, checked_in_at from meeting_attendance where checked_in_at is not null
    union all select member_id, cast_at from votes
    union all select member_id, opened_at from document_opens
    union all select member_id, created_at from feedback) s group by member_id) x on x.member_id = m.id;
select rebuild_unit_activity_days();
