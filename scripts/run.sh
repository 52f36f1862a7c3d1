#!/usr/bin/env bash
# `make run`: migrate, seed the demo account and template, start web (ASGI: HTTP + WebSocket),
# the Celery workers and beat; print the URL, the demo login and a curl that works.
# Every process is supervised (restarted if it dies, scripts/supervise.py); Ctrl-C stops everything.
set -euo pipefail
PORT="${PORT:-8000}"
export PORT
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:${PORT}}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.local}"
export AUDOME_DEMO_HOST_PORT="${AUDOME_DEMO_HOST_PORT:-$((PORT + 1))}"
# One demo token per instance: a second `make run` (another PORT) from this checkout keeps its own.
export AUDOME_DEMO_TOKEN_FILE="${AUDOME_DEMO_TOKEN_FILE:-var/demo-token-${PORT}}"
PY=.venv/bin/python
CELERY=.venv/bin/celery
mkdir -p var/log

bash scripts/ensure-redis.sh
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
$PY manage.py seed_demo --token-file "$AUDOME_DEMO_TOKEN_FILE" > "var/demo-${PORT}.json"

# The processes, supervised by scripts/supervise.py: one that exits is started again (1 s, 2 s, 4 s …
# up to 30 s while it keeps failing) and logged to var/log/supervisor.log; Ctrl-C stops them all.
procs=(
  "web=env DB_POOL=true .venv/bin/uvicorn config.asgi:application --host 127.0.0.1 --port $PORT --lifespan off --no-access-log"
  "render-worker=$CELERY -A config worker -Q render -c 2 -n render@%h --without-gossip --without-mingle -l INFO"
  "preview-worker=$CELERY -A config worker -Q preview -c ${PREVIEW_MAX_CONCURRENCY:-1} -n preview@%h --without-gossip --without-mingle -l INFO"
  "default-worker=$CELERY -A config worker -Q default -c 2 -n default@%h --without-gossip --without-mingle -l INFO"
  # Deliveries are network-bound: threads, so a slow destination never holds up the others.
  "webhooks-worker=$CELERY -A config worker -Q webhooks -P threads -c 16 -n webhooks@%h --without-gossip --without-mingle -l INFO"
  "beat=$CELERY -A config beat -s var/celerybeat-schedule -l INFO"
)
if [ -f embed/demo_host.py ]; then
  procs+=("demo-host=$PY -m embed.demo_host --port $AUDOME_DEMO_HOST_PORT")
fi

banner() {
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  $PY - <<'PYEOF'
import json, os
port = os.environ["PORT"]
demo = json.load(open(f"var/demo-{port}.json"))
base = os.environ["PUBLIC_BASE_URL"]
print(f"""
  Audome is running: {base}/render
  Demo login:        {demo['email']} / {demo['password']}
  API docs:          {base}/docs   (OpenAPI: {base}/api/docs)
  Logs:              var/log/*.log (restarts: var/log/supervisor.log)        Stop: Ctrl-C

  Render the demo template:
  curl -s -X POST {base}/api/render/generate \\
    -H "Authorization: Bearer {demo['token']}" \\
    -H "Content-Type: application/json" \\
    -d '{{"projectId": "{demo['projectId']}", "data": {{"title.text": "Hello from Audome"}}}}'
""")
if os.path.exists("embed/demo_host.py"):
    print(f"  Embed demo host page: http://127.0.0.1:{os.environ['AUDOME_DEMO_HOST_PORT']}/\n")
PYEOF
}
banner &
# The supervisor takes this shell's place, so Ctrl-C reaches it directly.
exec $PY scripts/supervise.py --log-dir var/log "${procs[@]}"
