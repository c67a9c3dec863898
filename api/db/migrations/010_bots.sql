-- Bots: the durable inbox of platform updates (each processed once, surviving restarts),
-- per-chat conversation state, and one-time codes that bind a chat group to a cell.

create table inbound_updates (
  id bigint generated always as identity primary key,
  channel text not null check (channel in ('telegram', 'zalo', 'web')),
  bot_key text not null,
  update_id text not null,
  payload jsonb not null,
  received_at timestamptz not null default now(),
  -- a worker's lease: an update claimed by a worker that died is claimed again after it lapses
  claimed_at timestamptz,
  processed_at timestamptz,
  -- a platform that re-sends an update (webhook retry, polling after restart) is ignored
  unique (channel, bot_key, update_id)
);
create index inbound_updates_pending on inbound_updates (id) where processed_at is null;

create table chat_sessions (
  channel text not null,
  bot_key text not null,
  chat_id text not null,
  key text not null,
  value jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (channel, bot_key, chat_id, key)
);

create table group_bind_codes (
  id integer generated always as identity primary key,
  org_id integer not null references orgs(id),
  code_hash text not null unique,
  issued_by integer references principals(id),
  expires_at timestamptz not null,
  used_at timestamptz
);
