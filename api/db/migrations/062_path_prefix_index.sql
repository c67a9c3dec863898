-- "Everything under unit X" as a plain B-tree range on the path's text: every path under X
-- is X itself or starts with "X." (labels are ids, digits only, so nothing sorts between
-- "X" + "." and "X" + "/"). The C collation keeps the byte order the range relies on; a
-- range (unlike LIKE) stays indexable in a prepared statement's generic plan.
-- Members under a province are then the per-cell counters of 061 summed over one index
-- range (10 000 entries at 1 M members) instead of a million member rows, which no index on
-- members can count in a few milliseconds (bench:orgs prints both).
create index orgs_path_prefix on orgs ((path::text) collate "C") include (id, kind);
create index cell_figures_path_prefix on cell_figures (path) include (members, linked);
