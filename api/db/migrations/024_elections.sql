-- Elections (QĐ 190-QĐ/TW 2024; rules.md §8): a secret ballot over a list of candidates for a
-- number of seats (the committee, secretary, deputy, delegates). Each ballot keeps some names
-- and crosses out the others: it is one row in ballot_box with the kept candidates (the
-- members' ids) in `kept`, and nothing about who cast it. A tie at the last seat or too few
-- elected opens a further round among the remaining candidates.

alter table motions add column seats integer check (seats is null or seats > 0);
-- what is elected: committee (chi ủy), secretary, deputy, delegates
alter table motions add column election_body text
  check (election_body is null or election_body in ('committee', 'secretary', 'deputy', 'delegates'));
alter table motions add column round integer not null default 1;
alter table motions add column previous_round_id integer references motions(id);

create table election_candidates (
  motion_id integer not null references motions(id),
  member_id integer not null references members(id),
  -- proposed by the convening committee, nominated by a member, or self-nominated
  nominated_by text not null check (nominated_by in ('committee', 'nominated', 'self')),
  withdrawn_at timestamptz,
  primary key (motion_id, member_id)
);
