-- The durable outbox: every message the service sends to a chat is first a row here,
-- written in the same transaction as the change that causes it (a published notice, an
-- opened vote, a reminder). Workers send queued rows at the platforms' rate limits.

-- A chat group bound to an organisation (a cell's Telegram or Zalo group).
create table chat_groups (
  id integer generated always as identity primary key,
  channel text not null check (channel in ('telegram', 'zalo')),
  bot_key text not null,
  chat_id text not null,
  org_id integer not null references orgs(id),
  title text,
  bound_by integer references principals(id),
  bound_at timestamptz not null default now(),
  unbound_at timestamptz
);
create unique index chat_groups_active on chat_groups (channel, bot_key, chat_id) where unbound_at is null;
create index chat_groups_org on chat_groups (org_id) where unbound_at is null;

create table outbox_messages (
  id bigint generated always as identity primary key,
  channel text not null check (channel in ('telegram', 'zalo', 'web')),
  bot_key text not null,
  chat_id text not null,
  -- the recipient member (null for a group message)
  member_id integer references members(id),
  -- the group's organisation (null for a private message)
  org_id integer references orgs(id),
  kind text not null,
  ref_type text,
  ref_id text,
  -- channel-neutral reply: { text, choices?, link?, photo? }
  payload jsonb not null,
  -- set when the same logical message must never be queued twice (e.g. 'reminder:meeting:5:day:member:9')
  dedupe_key text unique,
  status text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  provider_message_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index outbox_due on outbox_messages (bot_key, next_attempt_at) where status in ('queued', 'sending');
create index outbox_ref on outbox_messages (ref_type, ref_id);
create index outbox_member on outbox_messages (member_id);
