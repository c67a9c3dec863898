-- A closed meeting is a record (issue 24): what the roll, the vote base and the quorum were at
-- close is kept with the meeting, so the meeting page, the API and the minutes read the same
-- whatever happens to the cell later (members imported, moved, deactivated, a rule's version).
-- Motions already keep their results. Meetings closed before this keep null and are read live.
alter table meetings add column record jsonb;

-- Who opened the meeting: the secretary who ran it is present at it.
alter table meetings add column opened_by integer references principals(id);
