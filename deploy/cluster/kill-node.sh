#!/usr/bin/env bash
# A node of the cluster up.sh started dies as its machine would: SIGKILL to its Patroni and to
# its PostgreSQL at once, with nothing shut down cleanly.
#
#   bash deploy/cluster/kill-node.sh DIR N      # N: 1 or 2 (node1 leads at first)
#
# Patroni starts PostgreSQL in a session of its own (so that a stopped Patroni leaves the
# database running), so killing Patroni's process group alone leaves the old primary serving:
# each group is killed by its own id, read before either dies.
set -euo pipefail
DIR=${1:?usage: kill-node.sh DIR N}
N=${2:?usage: kill-node.sh DIR N}
patroni=$(cat "$DIR/node$N.pid")
postmaster=$(head -1 "$DIR/node$N/data/postmaster.pid")
pg_group=$(ps -o pgid= -p "$postmaster" | tr -d ' ')
[ -n "$pg_group" ] || { echo "node$N: PostgreSQL (pid $postmaster) is not running" >&2; exit 1; }
kill -KILL -- "-$patroni" "-$pg_group"
echo "killed node$N: Patroni (group $patroni) and PostgreSQL (group $pg_group)"
