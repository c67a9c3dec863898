#!/usr/bin/env bash
# Installs pgvector into the machine's PostgreSQL 15 from Debian's source package.
# Bookworm has no pgvector package; trixie's source builds cleanly against PG 15.
# Idempotent and quiet: does nothing when the extension is already available.
set -euo pipefail
PG_MAJOR=${PG_MAJOR:-15}
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
ext_dir=$("$PG_CONFIG" --sharedir)/extension
if [ -f "$ext_dir/vector.control" ]; then
  exit 0
fi
mirror=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1 | awk '{print $2}')
mirror=${mirror:-http://deb.debian.org/debian}
list=/etc/apt/sources.list.d/trixie-src.list
[ -f "$list" ] || echo "deb-src $mirror trixie main" > "$list"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "postgresql-server-dev-$PG_MAJOR" dpkg-dev >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source -qq pgvector >/dev/null 2>&1
cd pgvector-*/
make -s PG_CONFIG="$PG_CONFIG" >/dev/null 2>&1
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "pgvector installed into PostgreSQL $PG_MAJOR"
