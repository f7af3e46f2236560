#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis are installed and running on this machine
# (Debian/Ubuntu), and that the test and hotline databases exist. Safe to run repeatedly.
# Needs root (or sudo) only when something must be installed or started.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

pg_up()    { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server  >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "services: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! pg_up; then
  echo "services: starting PostgreSQL" >&2
  ver=$(ls /etc/postgresql | sort -V | tail -n1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || $SUDO pg_ctlcluster "$ver" main start
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
fi
pg_up || { echo "services: PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }

# Redis runs with persistence, as in production: an append-only file synced
# every second (appendonly yes, appendfsync everysec), so a restart keeps agents'
# sign-ins, callers waiting and calls in progress (the controller also rebuilds
# what a Redis without its data lost; see README "What the controller survives").
if ! redis_up; then
  echo "services: starting Redis (AOF persistence in /var/lib/redis)" >&2
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly yes --appendfsync everysec --dir /var/lib/redis --logfile /var/log/redis/hotline.log
  for _ in $(seq 1 50); do redis_up && break; sleep 0.2; done
fi
redis_up || { echo "services: Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }
# A Redis already running without persistence gets it without a restart
# (CONFIG SET is not destructive: Redis writes the file in the background).
rcli() { redis-cli -h 127.0.0.1 -p 6379 "$@"; }
if [ "$(rcli config get appendonly 2>/dev/null | tail -n1)" != "yes" ]; then
  echo "services: turning on Redis persistence (appendonly yes, appendfsync everysec)" >&2
  if ! { rcli config set appendfsync everysec && rcli config set appendonly yes; } >/dev/null 2>&1 \
     || [ "$(rcli config get appendonly 2>/dev/null | tail -n1)" != "yes" ]; then
    echo "services: warning: could not turn on Redis persistence (is its dir writable?); a Redis restart will lose its data" >&2
  fi
fi

# The default DATABASE_URL is postgres://postgres:postgres@127.0.0.1:5432/test.
# A fresh Debian cluster wants a password over TCP: give the postgres role the
# documented development password (trust-auth clusters ignore it) and make the
# database if it is missing.
if [ -z "${DATABASE_URL:-}" ]; then
  as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
  if ! psql "postgres://postgres:postgres@127.0.0.1:5432/postgres" -tAc 'select 1' >/dev/null 2>&1; then
    as_pg "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  fi
  for db in test hotline; do # test: the tests' schemas; hotline: serve and demo
    if ! psql "postgres://postgres:postgres@127.0.0.1:5432/postgres" -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
      psql -q "postgres://postgres:postgres@127.0.0.1:5432/postgres" -c "CREATE DATABASE $db"
    fi
  done
fi
echo "services: PostgreSQL and Redis are up" >&2
