-- The inbox claim's check for an earlier pending update of the same chat, answered by an index
-- only it can use (issue 31). The check read `inbound_updates_chat_pending`, partial on
-- `processed_at is null` like `inbound_updates_pending` (id): an ANALYZE taken while nothing was
-- pending — as it is between evenings, with autovacuum late or off — leaves both at 0 tuples, and
-- the planner then answered the check by walking the whole pending index for every candidate.
-- bench:webhook's drain of 20 000 stored taps spent a second per claim of 256 (EXPLAIN ANALYZE:
-- 10 000–19 000 index entries read per candidate, 5 million rows filtered), 340 taps/s in all,
-- its event loop idle 85 % of the time.
--
-- Completion drops the chat (`chat_key = null`) with the payload in the same statement
-- (api/inbox/repository.ts `completeUpdates`), so an update with a chat key is one not yet
-- processed: the new index holds the pending updates that have a chat, and the check no longer
-- says `processed_at is null`, which the id index would also answer. One index probe per
-- candidate whatever the statistics (3.5 ms for the same claim of 256).
--
-- lock: inbound_updates SHARE while the index is built — one scan of the table, whose processed
-- rows hold ids only; webhook inserts wait that long. The old index is dropped: nothing else reads it.
-- A processed update with a chat key would now hold its chat back for good; completion has cleared
-- the key since the column exists (migration 011), so this finds none — it is here to make sure.
update inbound_updates set chat_key = null where processed_at is not null and chat_key is not null;
drop index if exists inbound_updates_chat_pending;
create index inbound_updates_chat_waiting on inbound_updates (channel, bot_key, chat_key, id)
  where chat_key is not null;

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
           where p.channel = c.channel and p.bot_key = c.bot_key and p.chat_key = c.chat_key and p.id < c.id)
      order by c.id limit p_limit
      for update skip locked)
  returning u.id, u.channel, u.bot_key, u.payload, u.received_at, u.attempts
$$;
