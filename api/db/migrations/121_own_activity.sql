-- "Hoạt động 30 ngày" counts what a member did herself on the platform (issue 25): reading a
-- notice, opening a meeting document, checking in by chat or the room's code, voting, sending
-- feedback. A secretary ticking a member present in the room is the secretary's act, not the
-- member's: it no longer counts (one cell showed 27 "active" against 3 linked accounts).
drop trigger member_activity_attendance_ins on meeting_attendance;
drop trigger member_activity_attendance_upd on meeting_attendance;
create trigger member_activity_attendance_ins after insert on meeting_attendance
  for each row when (new.checked_in_at is not null and new.check_in_method in ('chat', 'code', 'room'))
  execute function member_activity_from_row();
create trigger member_activity_attendance_upd after update of checked_in_at on meeting_attendance
  for each row when (old.checked_in_at is null and new.checked_in_at is not null
                     and new.check_in_method in ('chat', 'code', 'room'))
  execute function member_activity_from_row();

-- Recount from what members did themselves, under the lock folds take.
select lock_member_activity();
delete from member_activity_queue;
delete from member_activity;
insert into member_activity (member_id, cell_id, last_at)
select m.id, m.cell_id, x.at from members m join (
  select member_id, max(at) as at from (
    select member_id, read_at as at from notice_recipients where read_at is not null
    union all select member_id, checked_in_at from meeting_attendance
     where checked_in_at is not null and check_in_method in ('chat', 'code', 'room')
    union all select member_id, cast_at from votes
    union all select member_id, opened_at from document_opens
    union all select member_id, created_at from feedback) s group by member_id) x on x.member_id = m.id;
select rebuild_cell_activity_days();
