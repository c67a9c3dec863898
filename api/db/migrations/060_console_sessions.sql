-- The web console: one-time sign-in links asked for in chat, and the browser sessions they
-- open. Only hashes of the link and session secrets are stored.

create table console_login_links (
  id integer generated always as identity primary key,
  principal_id integer not null references principals(id),
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index console_login_links_principal on console_login_links (principal_id);

create table console_sessions (
  id integer generated always as identity primary key,
  principal_id integer not null references principals(id),
  token_hash text not null unique,
  user_agent text,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ended_at timestamptz
);
create index console_sessions_principal on console_sessions (principal_id) where ended_at is null;
