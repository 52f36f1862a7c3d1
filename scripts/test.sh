#!/usr/bin/env bash
# The whole suite. DATABASE_URL / REDIS_URL choose Postgres / Redis (default: SQLite + local Redis).
set -euo pipefail
bash scripts/ensure-redis.sh
export DJANGO_SETTINGS_MODULE=config.settings.test
exec .venv/bin/pytest "$@"
