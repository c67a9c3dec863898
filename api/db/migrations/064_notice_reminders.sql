-- Reminders a secretary or committee sends by hand from the console or the API ("nhắc lại
-- những đồng chí chưa đọc"). One row per round: the round number is part of each message's
-- dedupe key, so a double click or two officers pressing at once queue each member's reminder
-- once, and the time of the last round spaces the next one (api/notices/remind-notice.ts).
create table notice_reminders (
  notice_id integer not null references notices(id),
  round integer not null,
  sent_by integer references principals(id),
  sent_at timestamptz not null,
  -- recipients who had not read it when the round was sent, and messages queued to their chats
  members integer not null,
  messages integer not null,
  primary key (notice_id, round)
);
