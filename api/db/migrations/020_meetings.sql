-- Cell meetings: schedule, documents before, one attendance list for the room and online,
-- motions and votes (secret ballots kept unlinkable), opinions, ratings, resolution, tasks,
-- minutes amendments.

create table meetings (
  id integer generated always as identity primary key,
  cell_id integer not null references orgs(id),
  kind text not null check (kind in ('regular', 'thematic', 'combined')),
  topic text,
  starts_at timestamptz not null,
  place text,
  mode text not null check (mode in ('in_person', 'online', 'hybrid')),
  status text not null default 'scheduled' check (status in ('scheduled', 'in_progress', 'closed')),
  opened_at timestamptz,
  closed_at timestamptz,
  chair_member_id integer references members(id),
  minute_taker_member_id integer references members(id),
  checkin_code text,
  created_by integer references principals(id),
  created_at timestamptz not null default now(),
  check (kind = 'regular' or topic is not null)
);
create index meetings_cell on meetings (cell_id, starts_at);

create table meeting_agenda_items (
  id integer generated always as identity primary key,
  meeting_id integer not null references meetings(id),
  position integer not null,
  title text not null,
  unique (meeting_id, position)
);

create table meeting_documents (
  id integer generated always as identity primary key,
  meeting_id integer not null references meetings(id),
  title text not null,
  url text,
  body text,
  sent_at timestamptz not null default now()
);

create table document_opens (
  document_id integer not null references meeting_documents(id),
  member_id integer not null references members(id),
  opened_at timestamptz not null default now(),
  primary key (document_id, member_id)
);

-- One list for everyone: answers before the meeting, check-in in the room or online, leaving.
create table meeting_attendance (
  meeting_id integer not null references meetings(id),
  member_id integer not null references members(id),
  response text check (response in ('attending', 'absent')),
  absence_reason text,
  reason_accepted boolean not null default false,
  checked_in_at timestamptz,
  check_in_method text check (check_in_method in ('chat', 'code', 'secretary')),
  left_at timestamptz,
  primary key (meeting_id, member_id)
);

create table motions (
  id integer generated always as identity primary key,
  meeting_id integer not null references meetings(id),
  kind text not null check (kind in ('resolution', 'question', 'admission', 'recognition', 'discipline', 'expulsion', 'election')),
  title text not null,
  ballot text not null check (ballot in ('open', 'secret')),
  allow_change boolean not null default false,
  status text not null default 'open' check (status in ('open', 'closed')),
  opened_at timestamptz not null default now(),
  closed_at timestamptz,
  -- the room's show of hands, recorded by the secretary for those who did not vote in chat
  room_for integer not null default 0,
  room_against integer not null default 0,
  room_abstain integer not null default 0,
  result jsonb
);
create index motions_meeting on motions (meeting_id);

-- Open ballots: who chose what.
create table votes (
  motion_id integer not null references motions(id),
  member_id integer not null references members(id),
  choice text not null check (choice in ('for', 'against', 'abstain')),
  cast_at timestamptz not null default now(),
  primary key (motion_id, member_id)
);

-- Secret ballots: who took part is stored apart from what was chosen, and choices are kept
-- only as running counts, so no row, order or timestamp links a member to a choice.
-- Verifiable: the counts add up to the number of participants.
create table ballot_participation (
  motion_id integer not null references motions(id),
  member_id integer not null references members(id),
  primary key (motion_id, member_id)
);
create table secret_tallies (
  motion_id integer not null references motions(id),
  choice text not null check (choice in ('for', 'against', 'abstain')),
  count integer not null default 0,
  primary key (motion_id, choice)
);

create table meeting_opinions (
  id integer generated always as identity primary key,
  meeting_id integer not null references meetings(id),
  agenda_item_id integer references meeting_agenda_items(id),
  member_id integer not null references members(id),
  body text not null,
  created_at timestamptz not null default now()
);

create table meeting_ratings (
  meeting_id integer not null references meetings(id),
  member_id integer not null references members(id),
  level text not null,
  rated_at timestamptz not null default now(),
  primary key (meeting_id, member_id)
);

create table resolutions (
  meeting_id integer primary key references meetings(id),
  body text not null,
  motion_id integer references motions(id),
  published_at timestamptz
);

create table tasks (
  id integer generated always as identity primary key,
  meeting_id integer not null references meetings(id),
  cell_id integer not null references orgs(id),
  assignee_member_id integer not null references members(id),
  title text not null,
  due_on date not null,
  status text not null default 'open' check (status in ('open', 'done')),
  done_at timestamptz,
  reminded_at timestamptz
);
create index tasks_assignee on tasks (assignee_member_id, status);

create table minutes_amendments (
  id integer generated always as identity primary key,
  meeting_id integer not null references meetings(id),
  body text not null,
  author_principal_id integer references principals(id),
  created_at timestamptz not null default now()
);
