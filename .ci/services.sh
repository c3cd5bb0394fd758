#!/usr/bin/env bash
# The services npm test talks to: Redis (TEST_REDIS_URL) and PostgreSQL (TEST_POSTGRESQL_URL). On CI's machines both run
# before the job starts; this starts a local one that is down, with the machine's documented commands, and waits for it.
# A URL that points elsewhere (another host or port) is only checked, never started.
set -euo pipefail
REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
PG_URL="${TEST_POSTGRESQL_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# Whether URL ($1) names this machine's service on its standard port ($2): the one the commands below start.
this_machine() { [[ "$1" =~ ^[a-z]+://([^@/]*@)?(127\.0\.0\.1|localhost)(:$2)?(/|$) ]]; }

ready() { # NAME CHECK...
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "ci: $name is not answering" >&2
  return 1
}

if ! redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG; then
  this_machine "$REDIS_URL" 6379 || { echo "ci: Redis at TEST_REDIS_URL is not answering" >&2; exit 1; }
  echo "ci: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  ready Redis sh -c "redis-cli -u '$REDIS_URL' ping | grep -q PONG"
fi

if ! pg_isready -q -d "$PG_URL"; then
  this_machine "$PG_URL" 5432 || { echo "ci: PostgreSQL at TEST_POSTGRESQL_URL is not answering" >&2; exit 1; }
  echo "ci: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  ready PostgreSQL pg_isready -q -d "$PG_URL"
fi
echo "ci: Redis and PostgreSQL are up"
