-- Service-wide settings kept with the data (e.g. the generated signing key for links),
-- so a restart, or a second instance on the same database, signs links the same way.
create table service_settings (
  key text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
