-- Issue 29 point 4: editors teach the assistant. From the questions it could not answer (or
-- answered badly), an editor links a question to the article that answers it, optionally with
-- a short answer of her own; questions worded like it are then answered from that article —
-- in her unit's subtree only (org_path). The article is kept as document + article number, so
-- a document re-loaded with new chunks keeps its lessons.
create table kb_lessons (
  id integer generated always as identity primary key,
  org_id integer not null references orgs(id),
  org_path ltree not null,
  question text not null,
  document_id integer not null references kb_documents(id) on delete cascade,
  article integer not null,
  note text,
  from_question_id integer references kb_questions(id) on delete set null,
  created_by integer references principals(id),
  created_at timestamptz not null default now()
);
create index kb_lessons_path on kb_lessons using gist (org_path);

alter table kb_questions add column lesson_id integer references kb_lessons(id) on delete set null;
