-- Foundation: extensions, organisation tree, members and their dated facts, principals,
-- tokens, role grants, chat accounts and link codes, the append-only audit log.
-- SQL here must run on PostgreSQL 15 and on PGlite (PostgreSQL 18).

create extension if not exists ltree;
create extension if not exists unaccent;
create extension if not exists vector;

-- unaccent() is only STABLE; an immutable wrapper lets indexes and generated columns use it.
create or replace function f_unaccent(text) returns text
  language sql immutable parallel safe strict
  as $$ select public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- ─── Organisation tree (rules.md §7) ────────────────────────────────────────────────
-- Any depth. `path` is the ltree of ids from the root ("1.7.42"): subtree queries are
-- `path <@ $root` on a GiST index instead of a recursive walk.
create table orgs (
  id integer generated always as identity primary key,
  parent_id integer references orgs(id),
  kind text not null check (kind in (
    'central', 'province', 'district', 'commune',
    'grassroots_committee', 'grassroots_cell', 'sub_committee', 'cell')),
  name text not null check (length(name) between 1 and 300),
  path ltree not null,
  deployed boolean not null default true,
  not_deployed_reason text,
  is_demo boolean not null default false,
  created_at timestamptz not null default now(),
  check (deployed or not_deployed_reason is not null)
);
create index orgs_path_gist on orgs using gist (path);
create index orgs_parent on orgs (parent_id);

-- ─── Members (rules.md §1, §6) ──────────────────────────────────────────────────────
create table members (
  id integer generated always as identity primary key,
  full_name text not null check (length(full_name) between 1 and 200),
  gender text not null check (gender in ('male', 'female')),
  birth_year integer check (birth_year between 1900 and 2100),
  card_number text unique,
  phone text,
  cell_id integer not null references orgs(id),
  -- copy of the cell's path so "members under X" is one index scan at national scale
  cell_path ltree not null,
  status text not null check (status in ('official', 'probationary')),
  admitted_on date,
  probation_ends_on date,
  official_on date,
  active boolean not null default true,
  created_at timestamptz not null default now()
);
create index members_cell on members (cell_id) where active;
create index members_cell_path on members using gist (cell_path);

-- Dated facts that change the vote base: exemption, suspension, prosecution, temporary
-- transfer to a host cell (the member stays on the home cell's roll).
create table member_periods (
  id integer generated always as identity primary key,
  member_id integer not null references members(id),
  kind text not null check (kind in ('exempt', 'suspended', 'prosecuted', 'temporary_transfer')),
  host_cell_id integer references orgs(id),
  starts_on date not null,
  ends_on date,
  reason text,
  created_at timestamptz not null default now(),
  check (ends_on is null or ends_on >= starts_on),
  check ((kind = 'temporary_transfer') = (host_cell_id is not null))
);
create index member_periods_member on member_periods (member_id);
create index member_periods_host on member_periods (host_cell_id) where host_cell_id is not null;

-- Official transfers keep history.
create table member_transfers (
  id integer generated always as identity primary key,
  member_id integer not null references members(id),
  from_cell_id integer not null references orgs(id),
  to_cell_id integer not null references orgs(id),
  transferred_on date not null,
  note text,
  created_at timestamptz not null default now()
);
create index member_transfers_member on member_transfers (member_id);

-- ─── Who acts: principals, tokens, role grants ──────────────────────────────────────
-- A principal is anyone who calls the API or acts in chat; a member acting in chat has one.
create table principals (
  id integer generated always as identity primary key,
  display_name text not null,
  member_id integer unique references members(id),
  created_at timestamptz not null default now()
);

create table api_tokens (
  id integer generated always as identity primary key,
  principal_id integer not null references principals(id),
  token_hash text not null unique,
  label text not null default '',
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz
);

-- Roles hold on an organisation and its whole subtree. Plain membership is implicit.
create table role_grants (
  id integer generated always as identity primary key,
  principal_id integer not null references principals(id),
  org_id integer not null references orgs(id),
  role text not null check (role in ('admin', 'committee', 'secretary', 'editor')),
  created_at timestamptz not null default now(),
  unique (principal_id, org_id, role)
);
create index role_grants_principal on role_grants (principal_id);

-- ─── Chat identities ────────────────────────────────────────────────────────────────
create table chat_accounts (
  id integer generated always as identity primary key,
  channel text not null check (channel in ('telegram', 'zalo', 'web')),
  bot_key text not null,
  external_user_id text not null,
  chat_id text not null,
  member_id integer not null references members(id),
  display_name text,
  linked_at timestamptz not null default now(),
  unlinked_at timestamptz
);
-- A chat account is linked to at most one member at a time.
create unique index chat_accounts_active on chat_accounts (channel, bot_key, external_user_id) where unlinked_at is null;
create index chat_accounts_member on chat_accounts (member_id) where unlinked_at is null;

-- One-time link codes: only the hash is stored; single use; expire.
create table link_codes (
  id integer generated always as identity primary key,
  member_id integer not null references members(id),
  code_hash text not null unique,
  issued_by integer references principals(id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);

-- Failed redemption attempts, per chat identity, for brute-force throttling.
create table link_attempts (
  id integer generated always as identity primary key,
  attempt_key text not null,
  at timestamptz not null default now()
);
create index link_attempts_key on link_attempts (attempt_key, at);

-- ─── Append-only audit log ──────────────────────────────────────────────────────────
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_principal_id integer references principals(id),
  action text not null,
  subject_type text not null,
  subject_id text not null,
  details jsonb not null default '{}'::jsonb
);
create index audit_log_subject on audit_log (subject_type, subject_id);

create or replace function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_is_append_only();
