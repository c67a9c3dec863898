-- Tokens expire by default (issue 12): a token issued without an expiry — every CLI token
-- before this migration — now lapses 90 days from now, and a row inserted without one gets
-- the same default. Revocation records who revoked; listing a principal's tokens uses the index.
update api_tokens set expires_at = now() + interval '90 days' where expires_at is null;
alter table api_tokens alter column expires_at set default (now() + interval '90 days');
alter table api_tokens alter column expires_at set not null;
alter table api_tokens add column revoked_by integer references principals(id);
create index api_tokens_principal on api_tokens (principal_id);
