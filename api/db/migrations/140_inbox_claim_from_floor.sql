-- The inbox claim (api/inbox/repository.ts `claimUpdates`) as a function, so that it runs with
-- the plan it needs whatever the statistics say, planned on every call rather than once per
-- connection as our named prepared statements are (issue 31). Processed rows leave dead
-- entries in the two partial indexes until VACUUM; with autovacuum late or off, the planner's
-- choice — a bitmap scan of every pending entry, an anti-join probe for each, then a sort —
-- cost a claim 26 ms with 2 500 updates waiting behind 12 000 processed ones (EXPLAIN ANALYZE),
-- and more through the evening. Walking the pending index in id order from `p_from` and
-- stopping at `p_limit` claimable rows cost 1 ms on the same rows; a plain index scan also marks
-- the dead entries it passes so later scans skip them, which a bitmap scan never does.
--
-- `p_from` is the caller's floor: no pending update of these bots has a lower id (bot/inbox.ts
-- keeps it); 0 scans everything. The check for an earlier pending update of the same chat does
-- not use it: should an update ever be stored below the floor, its chat still waits for it.
--
-- lock: none — the function's body updates inbound_updates when called, never when created.
create or replace function claim_inbound_updates(
  p_owner text, p_bots text[], p_lease_seconds float8, p_limit integer, p_from bigint)
returns table (id bigint, channel text, bot_key text, payload jsonb, received_at timestamptz, attempts integer)
language sql volatile
set enable_bitmapscan = off
set enable_sort = off
as $$
  update inbound_updates u
     set claimed_by = p_owner, claimed_at = now(), lease_until = now() + make_interval(secs => p_lease_seconds),
         attempts = u.attempts + 1
   where u.id in (
     select c.id from inbound_updates c
      where c.processed_at is null and c.id >= p_from
        and (c.channel || ':' || c.bot_key) = any(p_bots)
        and (c.lease_until is null or c.lease_until < now())
        and not exists (
          select 1 from inbound_updates p
           where p.processed_at is null and p.channel = c.channel and p.bot_key = c.bot_key
             and p.chat_key = c.chat_key and p.id < c.id)
      order by c.id limit p_limit
      for update skip locked)
  returning u.id, u.channel, u.bot_key, u.payload, u.received_at, u.attempts
$$;

-- What the floor is worked out from (bot/inbox.ts, once a second): the lowest pending id of the
-- bots, read from the start of the pending index (the plan that marks dead entries as it goes),
-- and the highest id stored.
create or replace function inbound_pending_floor(p_bots text[])
returns table (lowest bigint, highest bigint)
language sql stable
set enable_bitmapscan = off
set enable_sort = off
as $$
  select (select c.id from inbound_updates c
           where c.processed_at is null and (c.channel || ':' || c.bot_key) = any(p_bots)
           order by c.id limit 1),
         (select max(h.id) from inbound_updates h)
$$;
