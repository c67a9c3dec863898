-- Issue 27: messages to one chat leave in the order they were queued, within a lane. A
-- worker claims only the earliest unsent message of each chat (claimMessages); this index
-- answers "is there an earlier one?" for each candidate.
create index outbox_chat_pending on outbox_messages (channel, bot_key, chat_id, lane, id)
  where status in ('queued', 'sending');
