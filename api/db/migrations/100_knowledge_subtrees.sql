-- Issue 27 point 3: a knowledge document is visible to the subtree of the unit it was loaded
-- for, a root unit included. Until now a root unit's documents were visible to everyone, and
-- every province made with `create-org --kind province` is a root, so one province's text
-- answered another's members. Documents visible to everyone (visibility_path null) are now only
-- the national ones: loaded for a unit of kind 'central', from the command line without --org,
-- or the demo's samples. Documents already loaded for a root unit other than the centre are
-- narrowed to that unit's subtree here.
update kb_documents d set visibility_org_id = d.org_id, visibility_path = o.path
  from orgs o
 where o.id = d.org_id and d.visibility_org_id is null and o.kind <> 'central';

-- Where a question was asked from (the asker's cell path), so an editor reviews and teaches
-- only her subtree's questions — staff questions included, which had no member to place them.
alter table kb_questions add column scope_path ltree;
update kb_questions q set scope_path = m.cell_path from members m where m.id = q.member_id;
create index kb_questions_scope on kb_questions using gist (scope_path);
