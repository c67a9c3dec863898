-- Failed-guess counters for every throttle (room check-in codes, link codes, bearer tokens),
-- shared by every service instance on this database. The layout is rate-limiter-flexible's
-- PostgreSQL store (key, points, expire in epoch milliseconds); expired rows are deleted by
-- the service, so the table holds at most the keys that failed within the last window.
create table throttle_attempts (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
create index throttle_attempts_expire on throttle_attempts (expire);

-- The link-code attempts table of 001 kept every failed attempt forever; throttle_attempts replaces it.
drop table link_attempts;
