#!/usr/bin/env bash
# Build the image and try it as an operator would: serve on SQLite with a read-only root, /healthz,
# /readyz, /metrics and the image's health check, a diagnosis inside, serve on PostgreSQL, the worker.
# What README "Deploy" reports was run with this script. Containers are removed at the end.
#
#   BASE=localhost/tsgbot-base:bookworm deploy/image-smoke.sh
#   SMOKE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/smoke ...    # also PostgreSQL (host network)
#
# ENGINE (podman or docker), BUILD_OPTS and RUN_OPTS pass options through; on a host without a
# systemd cgroup setup podman may need RUN_OPTS="--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024".
# (or the same as `runtime = "runc"` and `default_ulimits` in /etc/containers/containers.conf).
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${ENGINE:-podman}
IMAGE=${IMAGE:-localhost/tsgbot:smoke}
PORT=${SMOKE_PORT:-18080}
read -r -a BUILD <<<"${BUILD_OPTS:-}"
read -r -a RUN <<<"${RUN_OPTS:-}"
NAME="tsgbot-smoke-$$"
started=()
cleanup() { for c in "${started[@]}"; do "$ENGINE" rm -f -v "$c" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
wait_for() {  # URL: until it answers 200, at most 90 s
  for _ in $(seq 1 90); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "no answer from $1" >&2; return 1
}

step "build ($ENGINE, BASE=${BASE:-default})"
secret=()
if [ -n "${PIP_CERT_FILE:-}" ]; then secret=(--secret "id=pip_cert,src=$PIP_CERT_FILE"); fi
time "$ENGINE" build "${BUILD[@]}" "${secret[@]}" --format docker ${BASE:+--build-arg "BASE=$BASE"} -t "$IMAGE" .
"$ENGINE" image inspect "$IMAGE" --format 'user={{.Config.User}} size={{.Size}} healthcheck={{.Config.Healthcheck.Test}}'

step "serve on SQLite, read-only root, /tmp on tmpfs"
started+=("$NAME-serve")
"$ENGINE" run -d "${RUN[@]}" --name "$NAME-serve" --read-only --tmpfs /tmp -v "$NAME-data:/var/lib/tsgbot" \
  -p "127.0.0.1:$PORT:3000" "$IMAGE" >/dev/null
wait_for "http://127.0.0.1:$PORT/readyz"
curl -fsS "http://127.0.0.1:$PORT/healthz"; echo
curl -fsS "http://127.0.0.1:$PORT/readyz"; echo
curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -c '^tsgbot_' | sed 's/^/tsgbot_ metric lines: /'
"$ENGINE" healthcheck run "$NAME-serve" && echo "health check: healthy"
"$ENGINE" exec "$NAME-serve" id
"$ENGINE" exec "$NAME-serve" python app.py diagnose --json \
  "ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2. az ml online-deployment create -e fraud-ep" \
  | python3 -c 'import json, sys; d = json.load(sys.stdin); print("diagnose:", d["decision"], d["matches"][0]["id"], d["codes"])'
"$ENGINE" exec "$NAME-serve" sh -c 'touch /app/probe 2>/dev/null && echo "root file system: WRITABLE" || echo "root file system: read-only"'
"$ENGINE" stop -t 30 "$NAME-serve" >/dev/null
echo "serve stopped: exit $("$ENGINE" inspect "$NAME-serve" --format '{{.State.ExitCode}}')"
"$ENGINE" volume rm -f "$NAME-data" >/dev/null

if [ -n "${SMOKE_DATABASE_URL:-}" ]; then
  step "serve on PostgreSQL (host network), then the worker with the bot token alone"
  started+=("$NAME-pg")
  "$ENGINE" run -d "${RUN[@]}" --name "$NAME-pg" --network host --read-only --tmpfs /tmp \
    -e DATABASE_URL="$SMOKE_DATABASE_URL" -e PORT="$PORT" -e WEB_WORKERS=2 "$IMAGE" >/dev/null
  wait_for "http://127.0.0.1:$PORT/readyz"
  curl -fsS "http://127.0.0.1:$PORT/readyz"; echo
  "$ENGINE" exec "$NAME-pg" python app.py kb stats | sed -n 1,3p
  "$ENGINE" stop -t 30 "$NAME-pg" >/dev/null
  started+=("$NAME-worker")
  "$ENGINE" run -d "${RUN[@]}" --name "$NAME-worker" --network host --read-only --tmpfs /tmp \
    -e DATABASE_URL="$SMOKE_DATABASE_URL" -e SLACK_BOT_TOKEN=xoxb-0-0-smoke -e SLACK_API_URL=http://127.0.0.1:9/api/ \
    "$IMAGE" worker >/dev/null
  for _ in $(seq 1 60); do "$ENGINE" logs "$NAME-worker" 2>&1 | grep -q "delivering alerts" && break; sleep 1; done
  "$ENGINE" logs "$NAME-worker" 2>&1 | grep "delivering alerts"
  "$ENGINE" stop -t 30 "$NAME-worker" >/dev/null
  echo "worker stopped: exit $("$ENGINE" inspect "$NAME-worker" --format '{{.State.ExitCode}}')"
fi
step "done"
