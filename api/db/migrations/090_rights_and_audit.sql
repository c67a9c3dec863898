-- Issue 27: rights that end, and a log committees can read.
-- The audit log names the unit an action concerns (a member's cell, a role's unit, an
-- export's unit), so the console shows a committee the log of its subtree. Entries written
-- before this have none and are not shown there.
alter table audit_log add column org_id integer references orgs(id);
create index audit_log_org on audit_log (org_id, id) where org_id is not null;

-- A web-chat session signed in with a member's API token remembers the token: revoking it
-- ends the session (and with it the console links that session could ask for).
alter table chat_accounts add column api_token_id integer references api_tokens(id);
create index chat_accounts_api_token on chat_accounts (api_token_id) where api_token_id is not null;
