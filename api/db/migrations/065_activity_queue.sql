-- Members' activity (a notice read, a document opened, a check-in, an open vote, feedback)
-- used to move member_activity and the cell's day counter inside the writing transaction:
-- four or five more statements, with their foreign-key checks and WAL, in every check-in and
-- vote of a meeting evening — a fifth of the database's time in bench:meetings. The figure
-- they feed ("active in the last 30 days") is read by the console, a few times an hour.
--
-- Now the row trigger only appends (member, time) to an unlogged queue: no key, no index, no
-- WAL. fold_member_activity() moves the queue into member_activity and cell_activity_days in
-- one set-based statement; the console calls it before it reads the figures, and the
-- scheduler every minute, so the queue stays short.
--
-- Unlogged: a server crash empties the queue, so activity of the last minute before a crash
-- can be missing from the figure until those members act again. The acts themselves
-- (attendance, votes, reads) are durable in their own tables; the figure can under-count by
-- that minute, never over-count.

create unlogged table member_activity_queue (
  member_id integer not null,
  at timestamptz not null
);

-- One branch per table: PL/pgSQL resolves a field of NEW only in the branch that runs.
create or replace function member_activity_from_row() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'notice_recipients' then
    insert into member_activity_queue values (new.member_id, new.read_at);
  elsif tg_table_name = 'meeting_attendance' then
    insert into member_activity_queue values (new.member_id, new.checked_in_at);
  elsif tg_table_name = 'votes' then
    insert into member_activity_queue values (new.member_id, new.cast_at);
  elsif tg_table_name = 'document_opens' then
    insert into member_activity_queue values (new.member_id, new.opened_at);
  else
    insert into member_activity_queue values (new.member_id, new.created_at);
  end if;
  return null;
end $$;

drop function touch_member_activity(integer, timestamptz);

-- Folds move counters between days in one cell each; a move of a member to another cell
-- (member_activity_follow_cell) moves them between cells. Both take this lock first, so
-- neither reads a count the other is changing, and two folds never lock the same counters
-- in different orders.
create or replace function lock_member_activity() returns void language sql as $$
  select pg_advisory_xact_lock(727002);
$$;

create or replace function fold_member_activity() returns void language plpgsql as $$
begin
  perform lock_member_activity();
  with taken as (
    delete from member_activity_queue returning member_id, at
  ), latest as (
    -- a member's newest act in the queue, and the cell they are in now
    select t.member_id, m.cell_id, max(t.at) as at
      from taken t join members m on m.id = t.member_id
     group by 1, 2
  ), before as (
    select a.member_id, a.cell_id, a.last_at from member_activity a join latest l using (member_id)
  ), moved as (
    insert into member_activity (member_id, cell_id, last_at)
    select member_id, cell_id, at from latest
    on conflict (member_id) do update set last_at = excluded.last_at
      where member_activity.last_at < excluded.last_at
    returning member_id, cell_id, last_at
  ), shifts as (
    -- a member whose last day moves leaves the old day's count and joins the new one
    select b.cell_id, vn_day(b.last_at) as day, -1 as delta
      from moved mv join before b using (member_id)
     where vn_day(mv.last_at) <> vn_day(b.last_at)
    union all
    select mv.cell_id, vn_day(mv.last_at), 1
      from moved mv left join before b using (member_id)
     where b.member_id is null or vn_day(mv.last_at) <> vn_day(b.last_at)
  )
  insert into cell_activity_days (cell_id, day, n)
  select cell_id, day, sum(delta)::int from shifts group by 1, 2 order by 1, 2
  on conflict (cell_id, day) do update set n = cell_activity_days.n + excluded.n;
end $$;

-- A member moved to another cell takes their activity with them (as in 061), after the
-- activity still queued is folded, under the same lock as folds.
create or replace function member_activity_follow_cell() returns trigger language plpgsql as $$
declare
  day date;
begin
  perform fold_member_activity();
  update member_activity set cell_id = new.cell_id where member_id = new.id returning vn_day(last_at) into day;
  if found then
    perform unit_activity_shift(old.cell_id, day, null);
    perform unit_activity_shift(new.cell_id, null, day);
  end if;
  return null;
end $$;
