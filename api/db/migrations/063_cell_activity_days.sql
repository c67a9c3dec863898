-- Activity counters per cell only. Migration 061 kept "members whose last activity was on
-- day D" for a cell and for every unit above it, so every member's first action of the day
-- (a check-in, a vote, reading a notice) updated the same province row: on a meeting
-- evening or after a national notice, all those transactions queued on one row lock, and
-- the SQL-language shift function was planned again on every call (~1 ms a check-in).
-- The console sums the cells of a subtree instead (the same cells it already reads for
-- cell_figures). The triggers of 061 stay as they are: the shift they call keeps its name
-- and now moves the cell's count only, in PL/pgSQL, whose plans are kept per connection.

create table cell_activity_days (
  cell_id integer not null references orgs(id),
  day date not null,
  n integer not null default 0,
  primary key (cell_id, day)
);

create or replace function unit_activity_shift(cell integer, old_day date, new_day date) returns void
language plpgsql as $$
begin
  -- A member's last day only moves forward, so the older row is touched first: two shifts
  -- in one cell take their row locks in the same (day) order.
  if old_day is not null then
    update cell_activity_days set n = n - 1 where cell_id = cell and day = old_day;
  end if;
  if new_day is not null then
    insert into cell_activity_days (cell_id, day, n) values (cell, new_day, 1)
    on conflict (cell_id, day) do update set n = cell_activity_days.n + 1;
  end if;
end $$;

create or replace function rebuild_cell_activity_days() returns void language sql as $$
  delete from cell_activity_days;
  insert into cell_activity_days (cell_id, day, n)
  select cell_id, vn_day(last_at), count(*)::int from member_activity group by 1, 2;
$$;

-- Moving a unit no longer changes any activity row: only the months are rebuilt.
create or replace function unit_months_after_move() returns trigger language plpgsql as $$
begin
  if exists (select 1 from new_rows n join old_rows o on o.id = n.id where n.path is distinct from o.path) then
    perform rebuild_unit_months();
  end if;
  return null;
end $$;

-- Nothing reads member_activity by cell and time any more (the counts above do), and without
-- this index the update of last_at on every vote is a HOT update: no index entries, less WAL.
drop index member_activity_cell_at;

drop function rebuild_unit_activity_days();
drop table unit_activity_days;
select rebuild_cell_activity_days();
