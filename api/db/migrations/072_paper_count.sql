-- The paper count of a secret ballot held in the room (issue 24, blocker 3; issue 26).
--
-- A secret motion held in the room closes only with the room's paper count, or with the
-- explicit statement that nobody there voted on paper (`paper_none`). The count is entered by
-- the secretary or by the counting committee she names for the meeting (`meeting_counters`).
-- At close the paper counts are replaced by the motion's totals (close-motion.ts): no copy of
-- the data keeps a secret motion's counts per channel.
alter table motions add column paper_none boolean not null default false;

create table meeting_counters (
  meeting_id integer not null references meetings(id),
  member_id integer not null references members(id),
  primary key (meeting_id, member_id)
);

-- A member checked in online who goes to vote on paper in the room (fewer than three voting
-- online cannot keep their choice secret from those who count the paper): 'room'.
alter table meeting_attendance drop constraint meeting_attendance_check_in_method_check;
alter table meeting_attendance add constraint meeting_attendance_check_in_method_check
  check (check_in_method in ('chat', 'code', 'secretary', 'room'));
