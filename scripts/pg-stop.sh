#!/usr/bin/env bash
# Stop a PostgreSQL started by scripts/pg-start.sh and remove its directory.
set -u
dir=${1:?usage: pg-stop.sh PG_DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -d "$dir/data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$dir"
