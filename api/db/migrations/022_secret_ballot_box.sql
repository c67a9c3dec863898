-- Secret ballots that stay unlinkable after close (issue 12.1; README "Security → Secret ballots").
--
-- While a secret motion is open each ballot is one row in `ballot_box`: the motion and the
-- choice, nothing else (no member, no id, no timestamp). Participation is recorded apart in
-- `ballot_participation` so nobody votes twice. At close, one transaction counts the box into
-- the motion's result, deletes the box and rewrites every participation row (sorted by member),
-- so what survives closing was all written by the closing transaction: the same xmin, and
-- row order by member, never by time. The running counts of `secret_tallies` (each vote an
-- update of a shared row, whose xmin named the last voter of each choice) are gone.

create table ballot_box (
  motion_id integer not null references motions(id),
  -- for / against / abstain, a discipline form, or 'ballot' (an election ballot)
  choice text not null,
  -- elections: the candidates kept on the ballot (the others crossed out)
  kept integer[]
);
create index ballot_box_motion on ballot_box (motion_id);

-- Open secret motions of an existing database: their running counts become ballots in the box.
insert into ballot_box (motion_id, choice)
select t.motion_id, t.choice
  from secret_tallies t join motions m on m.id = t.motion_id, generate_series(1, t.count)
 where m.status = 'open'
 order by t.motion_id, t.choice;

-- Closed motions keep their counts in motions.result; the table (and its dead row versions,
-- dropped with its files) goes.
drop table secret_tallies;

-- Participation rows written by the voting transactions are rewritten here, sorted by member.
create temporary table participation_rewrite on commit drop as
  select motion_id, member_id from ballot_participation;
delete from ballot_participation;
insert into ballot_participation (motion_id, member_id)
select motion_id, member_id from participation_rewrite order by motion_id, member_id;

-- Raw platform updates already processed keep only what de-duplication needs (ids).
do $$
begin
  if exists (select 1 from information_schema.columns where table_name = 'inbound_updates' and column_name = 'payload') then
    update inbound_updates set payload = '{}'::jsonb where processed_at is not null and payload <> '{}'::jsonb;
  end if;
end $$;
