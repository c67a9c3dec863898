-- Knowledge documents are keyed per organisation (issue 12): a document key is unique within
-- the unit it was loaded for, so an editor of one province can no longer overwrite another
-- province's document by uploading the same key. Documents loaded from the command line have
-- no unit (org_id null) and share one namespace. Ingest jobs remember their unit, so only
-- editors of that unit can read them.
alter table kb_documents add column org_id integer references orgs(id);
update kb_documents set org_id = visibility_org_id;
alter table kb_documents drop constraint kb_documents_doc_key_key;
create unique index kb_documents_org_key on kb_documents ((coalesce(org_id, 0)), doc_key);
create index kb_documents_replaced_by on kb_documents (replaced_by) where replaced_by is not null;

alter table kb_jobs add column org_id integer references orgs(id);
