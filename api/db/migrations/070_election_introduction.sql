-- A nominee the convening committee did not propose (nominated or self-nominated) goes on an
-- election's list only if more than 30 % of those attending agree (QĐ 190-QĐ/TW 2024, Điều 14;
-- rules.md §8): an introduction ballot, a motion of its own about the nominee. The candidate
-- row names it; the nominee is on the list once that motion has closed and passed.

alter table motions drop constraint motions_kind_check;
alter table motions add constraint motions_kind_check check (kind in (
  'resolution', 'question', 'admission', 'recognition', 'discipline', 'expulsion', 'election', 'introduction'));

alter table election_candidates add column introduction_motion_id integer references motions(id);
