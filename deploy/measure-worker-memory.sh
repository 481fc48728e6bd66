#!/usr/bin/env bash
# The memory figures behind the worker pods' requests and limits (docs/deploy.md#sizing): one worker container
# of the image, run as the manifests run it (read-only root, a /tmp of its own, no capabilities, uid 10001,
# the avt_worker role, NO_MIGRATE, NO_MAINTENANCE), drains 4 × C prompts whose answers take 15 s on the mock,
# so C jobs are in flight at once; the container's peak memory is read from its cgroup, as a limit counts it.
#
#   deploy/measure-worker-memory.sh shared 2      (browser mode, WORKER_CONCURRENCY)
#
# Needs podman, the image (IMAGE, default ai-visibility-tracker:latest) and a PostgreSQL reachable as PG
# (default postgres://postgres@127.0.0.1:5432) by a superuser; uses the host's network, ports 4912 and 4992.
set -euo pipefail
mode=${1:?browser mode: shared or per-job}
concurrency=${2:?WORKER_CONCURRENCY}
image=${IMAGE:-ai-visibility-tracker:latest}
pg=${PG:-postgres://postgres@127.0.0.1:5432}
db="avt_measure_memory_$$"
tag="avt-measure-memory-$$"
login="avt_measure_worker_$$"
mock_port=4912

cleanup() {
  podman ps --all --quiet --filter "label=$tag" | xargs --no-run-if-empty podman rm --force >/dev/null 2>&1 || true
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $login" >/dev/null
}
trap cleanup EXIT
run() {
  podman run --label "$tag" --network host --read-only --tmpfs /tmp:size=1g --cap-drop ALL \
    --security-opt no-new-privileges --user 10001:10001 --no-healthcheck "$@" 2>/dev/null
}

psql "$pg/postgres" -qc "CREATE DATABASE $db"
run --rm -e DATABASE_URL="$pg/$db" "$image" migrate >/dev/null
# A login of the worker role, as the manifests' worker-url (the role itself stays as it is).
psql "$pg/postgres" -qc "CREATE ROLE $login LOGIN IN ROLE avt_worker"
psql "$pg/$db" -q -c "UPDATE ai_sources SET enabled = (name = 'chatgpt')" \
  -c "INSERT INTO prompts (text) SELECT 'best CRM for a team of ' || n || ' people' FROM generate_series(1, $((concurrency * 4))) n"
run --detach --name "$tag-mock" "$image" mock --port "$mock_port" --latency-ms 15000 >/dev/null
until curl --silent --fail "http://127.0.0.1:$mock_port/healthz" >/dev/null; do sleep 0.2; done
run --detach --name "$tag-worker" -e DATABASE_URL="postgres://$login@127.0.0.1:5432/$db" \
  -e NO_MIGRATE=true -e NO_MAINTENANCE=true -e WORKER_ID=1 -e METRICS_PORT=4992 -e ARTIFACTS_DIR=/tmp/artifacts \
  -e WORKER_CONCURRENCY="$concurrency" -e BROWSER_MODE="$mode" \
  "$image" worker --ai-source chatgpt --once --base-url "http://127.0.0.1:$mock_port/chatgpt/" >/dev/null

pid=$(podman inspect --format '{{.State.Pid}}' "$tag-worker")
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
  peak_file=/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")/memory.peak
else
  peak_file=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")/memory.max_usage_in_bytes
fi
peak=0
while [ -e "$peak_file" ]; do
  peak=$(cat "$peak_file" 2>/dev/null || echo "$peak")
  sleep 1
done
code=$(podman wait "$tag-worker" 2>/dev/null)
done_runs=$(psql "$pg/$db" -tAc "SELECT count(*) FROM prompt_runs WHERE status = 'done'")
[ "$code" = 0 ] && [ "$done_runs" = $((concurrency * 4)) ] || { echo "the worker exited $code with $done_runs runs done" >&2; exit 1; }
echo "browser $mode, concurrency $concurrency: peak $((peak / 1048576)) MB ($done_runs runs done)"
