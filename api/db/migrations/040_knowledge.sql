-- The assistant's knowledge: documents, structured chunks with full-text vectors and
-- embeddings (pgvector; the HNSW index is made per embedding dimension at start), term
-- statistics for dropping very common terms, questions asked and their ratings, ingest jobs.

create table kb_documents (
  id integer generated always as identity primary key,
  doc_key text not null unique,
  number text,
  title text not null,
  issuer text,
  issued_on date,
  status text not null default 'in_force' check (status in ('in_force', 'superseded')),
  replaced_by text,
  -- visible only inside this subtree; null = everyone
  visibility_org_id integer references orgs(id),
  visibility_path ltree,
  filename text,
  content_hash text not null,
  embed_model text not null,
  ingested_at timestamptz not null default now()
);

create table kb_chunks (
  id bigint generated always as identity primary key,
  document_id integer not null references kb_documents(id) on delete cascade,
  ord integer not null,
  heading_path text not null,
  article integer,
  clause integer,
  body text not null,
  text text not null,
  tsv tsvector not null,
  dim integer not null,
  embedding vector not null
);
create index kb_chunks_document on kb_chunks (document_id);
create index kb_chunks_tsv on kb_chunks using gin (tsv);

create table kb_term_df (
  term text primary key,
  df integer not null
);

-- Store-wide figures kept with the term statistics (e.g. 'chunks'), so a query never counts the table.
create table kb_stats (
  key text primary key,
  value bigint not null
);

create table kb_questions (
  id integer generated always as identity primary key,
  asked_at timestamptz not null default now(),
  member_id integer references members(id),
  question text not null,
  abstained boolean not null,
  confidence real,
  mode text not null,
  rating smallint check (rating in (-1, 1)),
  comment text
);
create index kb_questions_review on kb_questions (asked_at) where abstained or rating = -1;

create table kb_jobs (
  id integer generated always as identity primary key,
  status text not null default 'running' check (status in ('running', 'done', 'failed')),
  filename text not null,
  result jsonb,
  error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
