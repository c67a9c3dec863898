#!/usr/bin/env bash
# A PostgreSQL failover cluster on this one machine, for the failover test, the bench and a
# newcomer who wants to see it: etcd 3.4 (Patroni's store), two PostgreSQL 15 nodes under
# Patroni 3.0 in synchronous mode (a commit returns only once the standby has it), and
# HAProxy 2.6 sending connections to whichever node Patroni's REST API calls the leader.
# Everything listens on 127.0.0.1; data lives under one folder.
#
#   bash deploy/cluster/up.sh [DIR]      # prints DATABASE_URL=… when the cluster is ready
#   bash deploy/cluster/down.sh DIR
#
# Ports from BASE_PORT (default 55400): +0 HAProxy (the service's DATABASE_URL), +1/+2 the
# nodes' PostgreSQL, +11/+12 their Patroni REST API, +20/+21 etcd client/peer.
# Debian: apt-get install -y patroni etcd-server haproxy postgresql-15 postgresql-15-pgvector
set -euo pipefail

DIR=${1:-$(mktemp -d /tmp/sotay-cluster.XXXXXX)}
BASE=${BASE_PORT:-55400}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
HAPROXY_PORT=$BASE
ETCD_CLIENT=$((BASE + 20))
ETCD_PEER=$((BASE + 21))
# Failure detection: the leader key lives TTL seconds; Patroni checks every LOOP_WAIT.
TTL=${PATRONI_TTL:-20}
LOOP_WAIT=${PATRONI_LOOP_WAIT:-2}

for tool in patroni etcd haproxy "$PG_BIN/postgres"; do
  command -v "$tool" >/dev/null || {
    echo "missing: $tool — apt-get install -y patroni etcd-server haproxy postgresql-15" >&2
    exit 2
  }
done

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
# initdb refuses root: PostgreSQL and Patroni run as the postgres user when started by root.
if [ "$(id -u)" = 0 ]; then
  RUN_AS=(runuser -u postgres --)
  chown postgres: "$DIR"
else
  RUN_AS=()
fi
chmod 0755 "$DIR"
# Everything below runs from DIR: started as postgres from a checkout that user cannot enter (a
# clone under `mktemp -d`, mode 0700), Patroni's bootstrap ran initdb but never started PostgreSQL.
cd "$DIR"

start_bg() { # name, command…
  local name=$1
  shift
  nohup "${RUN_AS[@]}" "$@" >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

start_bg etcd etcd --name e0 --data-dir "$DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster "e0=http://127.0.0.1:$ETCD_PEER"
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$ETCD_CLIENT/health" >/dev/null 2>&1 && break
  sleep 0.2
done

write_node() { # n
  local n=$1
  local pg=$((BASE + n)) rest=$((BASE + 10 + n))
  mkdir -p "$DIR/node$n"
  cat >"$DIR/node$n/patroni.yml" <<YAML
scope: sotay
name: node$n
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: 127.0.0.1:$ETCD_CLIENT
bootstrap:
  dcs:
    ttl: $TTL
    loop_wait: $LOOP_WAIT
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    # Only the synchronous standby may be promoted, and a commit waits for it: an acknowledged
    # write is on both nodes. (Not strict: with its standby gone the leader keeps accepting.)
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 200
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$pg
  connect_address: 127.0.0.1:$pg
  data_dir: $DIR/node$n/data
  bin_dir: $PG_BIN
  pgpass: $DIR/node$n/pgpass
  authentication:
    superuser: {username: postgres, password: postgres}
    replication: {username: replicator, password: replicator}
  parameters:
    unix_socket_directories: $DIR/node$n
YAML
  [ ${#RUN_AS[@]} -eq 0 ] || chown -R postgres: "$DIR/node$n"
}

write_node 1
write_node 2
cat >"$DIR/haproxy.cfg" <<CFG
global
  maxconn 400
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 1s
# The service's one address: the node whose Patroni answers 200 on /primary (the leader).
# A node marked down has its sessions cut, so clients reconnect to the new leader at once.
listen postgres
  bind 127.0.0.1:$HAPROXY_PORT
  option httpchk OPTIONS /primary
  http-check expect status 200
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
  server node1 127.0.0.1:$((BASE + 1)) maxconn 180 check port $((BASE + 11))
  server node2 127.0.0.1:$((BASE + 2)) maxconn 180 check port $((BASE + 12))
CFG
haproxy -c -q -f "$DIR/haproxy.cfg"

start_node() { # n — Patroni and the PostgreSQL it runs share one process group, killed together
  nohup setsid "${RUN_AS[@]}" patroni "$DIR/node$1/patroni.yml" >"$DIR/node$1/patroni.log" 2>&1 &
  echo $! >"$DIR/node$1.pid"
}
start_node 1
# The second node clones the first once it leads.
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$((BASE + 11))/primary" >/dev/null 2>&1 && break
  sleep 0.5
done
start_node 2
start_bg haproxy haproxy -f "$DIR/haproxy.cfg" -db

# Ready: a leader and a streaming synchronous standby.
ok=
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$((BASE + 11))/cluster" 2>/dev/null | grep -q '"role": "sync_standby"'; then
    ok=1
    break
  fi
  sleep 0.5
done
if [ -z "$ok" ]; then
  echo "cluster did not become ready; logs in $DIR" >&2
  tail -n 20 "$DIR"/node*/patroni.log >&2
  exit 1
fi
for _ in $(seq 1 40); do
  psql -qAt -h 127.0.0.1 -p "$HAPROXY_PORT" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 && break
  sleep 0.5
done
psql -qAt -h 127.0.0.1 -p "$HAPROXY_PORT" -U postgres -d postgres -c 'create database sotay' >/dev/null 2>&1 || true
echo "CLUSTER_DIR=$DIR"
echo "PATRONI_REST=http://127.0.0.1:$((BASE + 11)),http://127.0.0.1:$((BASE + 12))"
echo "DATABASE_URL=postgres://postgres@127.0.0.1:$HAPROXY_PORT/sotay"
