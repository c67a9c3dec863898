-- Notices, documents and feedback.

create table notices (
  id integer generated always as identity primary key,
  org_id integer not null references orgs(id),
  kind text not null check (kind in ('notice', 'document', 'resolution', 'study', 'news')),
  title text not null,
  body text not null,
  official_only boolean not null default false,
  member_ids integer[],
  publish_at timestamptz not null,
  published_at timestamptz,
  ack_due_on date,
  paid_broadcast boolean not null default false,
  version integer not null default 1,
  created_by integer references principals(id),
  created_at timestamptz not null default now()
);
create index notices_due on notices (publish_at) where published_at is null;
create index notices_org on notices (org_id);

-- Editing a published item keeps the old version.
create table notice_versions (
  notice_id integer not null references notices(id),
  version integer not null,
  title text not null,
  body text not null,
  replaced_at timestamptz not null default now(),
  replaced_by integer references principals(id),
  primary key (notice_id, version)
);

create table notice_attachments (
  id integer generated always as identity primary key,
  notice_id integer not null references notices(id),
  filename text not null,
  mime text not null,
  data bytea not null,
  -- extracted text, so the content is searchable and readable without the file
  text text
);

-- Who the notice was for, fixed at publication: read receipts and reminders.
create table notice_recipients (
  notice_id integer not null references notices(id),
  member_id integer not null references members(id),
  cell_id integer not null references orgs(id),
  read_at timestamptz,
  reminded_at timestamptz,
  primary key (notice_id, member_id)
);
create index notice_recipients_member on notice_recipients (member_id);

create table feedback (
  id integer generated always as identity primary key,
  member_id integer not null references members(id),
  -- the committee it goes to: the member's cell, or the level above when the member chose so
  org_id integer not null references orgs(id),
  body text not null,
  photo_ref text,
  status text not null default 'received' check (status in ('received', 'processing', 'answered', 'closed')),
  answer text,
  created_at timestamptz not null default now()
);
create index feedback_org on feedback (org_id);
create index feedback_member on feedback (member_id);

create table feedback_events (
  id integer generated always as identity primary key,
  feedback_id integer not null references feedback(id),
  status text not null,
  note text,
  actor_principal_id integer references principals(id),
  at timestamptz not null default now()
);
