#!/usr/bin/env bash
# Stops the cluster deploy/cluster/up.sh started in DIR (only the processes it recorded) and
# removes DIR. `--keep` leaves the data.
set -uo pipefail
DIR=${1:?usage: down.sh DIR [--keep]}
for f in "$DIR"/node*.pid "$DIR"/haproxy.pid "$DIR"/etcd.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  # Patroni runs in its own session: its PostgreSQL goes with the group.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
done
sleep 2
for f in "$DIR"/node*.pid "$DIR"/haproxy.pid "$DIR"/etcd.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
done
# A postmaster left behind by a node that was killed: stop it by its own pid file.
for pm in "$DIR"/node*/data/postmaster.pid; do
  [ -f "$pm" ] && kill -KILL "$(head -1 "$pm")" 2>/dev/null
done
[ "${2:-}" = --keep ] || rm -rf "$DIR"
