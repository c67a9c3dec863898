-- The outbox claim (api/outbox/repository.ts `claimMessages`) as a function, planned on every
-- call (issue 31). As a named prepared statement it was planned once per connection: the send
-- worker's plan, chosen while the outbox was empty at the start of an evening, read the whole
-- table for every candidate once thousands of replies were queued — one claim took 1.5–2 s of
-- the database's CPU (perf: heap_getnextslot, texteq) while the same statement planned afresh
-- took 1–8 ms. Walks the due index in its order and stops at `p_limit` claimable rows.
--
-- lock: none — the function's body updates outbox_messages when called, never when created.
create or replace function claim_outbox_messages(
  p_owner text, p_lease_seconds float8, p_lane integer, p_bots text[], p_limit integer)
returns table (
  id bigint, channel text, bot_key text, chat_id text, org_id integer, lane smallint, payload jsonb,
  attempts integer)
language sql volatile
set enable_bitmapscan = off
set enable_sort = off
as $$
  update outbox_messages o
     set status = 'sending', attempts = o.attempts + 1, claimed_by = p_owner,
         next_attempt_at = now() + make_interval(secs => p_lease_seconds)
   where o.id in (
     select m.id from outbox_messages m
      where m.status in ('queued', 'sending') and m.lane = p_lane and m.next_attempt_at <= now()
        and (m.channel || ':' || m.bot_key) = any(p_bots)
        and m.id = (
          select e.id from outbox_messages e
           where e.channel = m.channel and e.bot_key = m.bot_key and e.chat_id = m.chat_id and e.lane = m.lane
             and e.status in ('queued', 'sending')
           order by e.id limit 1)
      order by m.lane, m.next_attempt_at, m.id limit p_limit
      for update skip locked)
  returning o.id, o.channel, o.bot_key, o.chat_id, o.org_id, o.lane, o.payload, o.attempts
$$;
