#!/usr/bin/env bash
# Makes sure Redis answers at REDIS_URL; starts a local one if it is the default address.
set -euo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
if redis-cli -u "$url" ping >/dev/null 2>&1; then exit 0; fi
mkdir -p var/redis
echo "Starting redis-server on 127.0.0.1:6379"
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir "$PWD/var/redis" --logfile "$PWD/var/redis/redis.log"
for _ in $(seq 1 50); do redis-cli -u "$url" ping >/dev/null 2>&1 && exit 0; sleep 0.1; done
echo "Redis did not start" >&2; exit 1
