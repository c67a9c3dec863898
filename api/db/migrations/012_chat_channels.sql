-- The channel list lives in one place, the registry in bot/channels.ts; the service writes
-- its names into chat_channels at start (api/chat-channels/ensure-channels.ts), and every
-- table that names a channel references it instead of repeating the list in a CHECK.
create table chat_channels (
  name text primary key check (name ~ '^[a-z][a-z0-9_-]{0,31}$')
);
insert into chat_channels (name) values ('telegram'), ('zalo'), ('web');

alter table chat_accounts drop constraint if exists chat_accounts_channel_check;
alter table chat_accounts add constraint chat_accounts_channel_fk foreign key (channel) references chat_channels (name);
alter table chat_groups drop constraint if exists chat_groups_channel_check;
alter table chat_groups add constraint chat_groups_channel_fk foreign key (channel) references chat_channels (name);
alter table outbox_messages drop constraint if exists outbox_messages_channel_check;
alter table outbox_messages add constraint outbox_messages_channel_fk foreign key (channel) references chat_channels (name);
alter table inbound_updates drop constraint if exists inbound_updates_channel_check;
alter table inbound_updates add constraint inbound_updates_channel_fk foreign key (channel) references chat_channels (name);
