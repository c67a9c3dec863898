-- A member list previewed in the console, kept so that "Nhập danh sách này" applies the same
-- file without choosing it again (issue 25, point 5). A draft belongs to the console session
-- that previewed it and to one unit; it is deleted when applied, and drafts older than the
-- preview's lifetime (api/members/import-drafts.ts) are deleted whenever a new one is kept.
create table member_import_drafts (
  token text primary key,
  console_session_id integer not null references console_sessions(id),
  unit_id integer not null references orgs(id),
  file_name text not null,
  format text not null check (format in ('csv', 'xlsx')),
  data bytea not null,
  created_at timestamptz not null default now()
);
create index member_import_drafts_created on member_import_drafts (created_at);
