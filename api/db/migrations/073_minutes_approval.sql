-- "Biên bản đã được đọc lại và thông qua" (rules.md §5, item 9) is written in the minutes only
-- once the secretary records that step: the minutes were read back and approved at the meeting.
alter table meetings add column minutes_approved_at timestamptz;
