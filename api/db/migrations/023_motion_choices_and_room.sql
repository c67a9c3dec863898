-- Ballots beyond for/against (issue 16): a discipline ballot offers the forms (its choices are
-- stored with the motion, as offered when it opened), names the member it concerns, and the
-- room's paper ballots of a secret vote are entered as counts per choice by the counting
-- committee. Room and chat never count the same member: chat votes come only from members
-- checked in online, room counts are capped by the members checked in in the room.

alter table motions add column options text[];
alter table motions add column subject_member_id integer references members(id);
alter table motions add column room_counts jsonb not null default '{}'::jsonb;
-- who counted the room's paper ballots (the counting committee), for the result sheet
alter table motions add column counting_committee text;
