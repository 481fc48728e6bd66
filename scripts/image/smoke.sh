#!/usr/bin/env bash
# Runs the built image the way a deployment does, against this machine's PostgreSQL (a scratch database):
# `avt migrate`, `avt mock` (the mock platform and LLM), one worker container per enabled AI source draining a
# dozen prompts (chatgpt's headed, on a read-only root), `avt serve` answering its HEALTHCHECK and the API,
# and `avt demo` on its embedded database. Fails unless every run ends done with its answer; leaves nothing
# behind.
set -euo pipefail

image=${1:-ai-visibility-tracker:latest}
pg=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
mock_port=${SMOKE_MOCK_PORT:-4710}
serve_port=${SMOKE_SERVE_PORT:-4780}
prompts=12
db="avt_image_smoke_$$"
url="$pg/$db"
tag="avt-smoke-$$"
token="smoke-$$-$RANDOM"

cleanup() {
  podman ps --all --quiet --filter "label=$tag" | xargs --no-run-if-empty podman rm --force 2>&1 >/dev/null |
    grep -v 'systemd connection' >&2 || true
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}
trap cleanup EXIT
fail() { echo "image smoke: FAILED: $*" >&2; exit 1; }
started=$SECONDS
step() { echo "image smoke: [$((SECONDS - started)) s] $*"; }

# Podman's health timers need systemd, which this machine lacks: containers that need no timer go without
# one, and its complaint about the one that does is filtered (the check itself is run by hand below).
container() {
  podman run --label "$tag" --network host -e DATABASE_URL="$url" "$@" 2> >(grep -v 'systemd connection' >&2)
}

psql "$pg/postgres" -qc "CREATE DATABASE $db"
step "avt migrate"
container --rm --no-healthcheck "$image" migrate

step "avt mock on :$mock_port"
container --detach --no-healthcheck --name "$tag-mock" "$image" mock --port "$mock_port" --latency-ms 300 >/dev/null
for _ in $(seq 1 60); do
  podman exec "$tag-mock" /app/bin/avt healthcheck --url "http://127.0.0.1:$mock_port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

psql "$url" -qc "INSERT INTO prompts (text) SELECT 'best CRM for a team of ' || n || ' people' FROM generate_series(1, $prompts) n"
mapfile -t sources < <(psql "$url" -tAc "SELECT name FROM ai_sources WHERE enabled ORDER BY name")
step "one worker per source (${sources[*]}), $prompts prompts each"
metrics_port=$((mock_port + 1))
for source in "${sources[@]}"; do
  # The host's network: each worker needs its own metrics port.
  metrics_port=$((metrics_port + 1))
  flavour=$source
  [ "$source" = google_ai_overview ] && flavour=google
  # chatgpt's worker runs as the Kubernetes manifests run it (a read-only root, /tmp its own), and headed.
  extra=()
  run_extra=()
  if [ "$source" = chatgpt ]; then
    run_extra=(--read-only --tmpfs /tmp:rw,notmpcopyup,mode=1777)
    extra=(--headed)
  fi
  container --detach --no-healthcheck --name "$tag-$source" -e METRICS_PORT="$metrics_port" "${run_extra[@]}" \
    "$image" worker --ai-source "$source" --worker-id 1 --once --browser shared "${extra[@]}" \
    --base-url "http://127.0.0.1:$mock_port/$flavour/" --llm-base-url "http://127.0.0.1:$mock_port/v1" >/dev/null
done
for source in "${sources[@]}"; do
  code=$(podman wait "$tag-$source")
  if [ "$code" != 0 ]; then
    podman logs --tail 30 "$tag-$source" >&2
    fail "the $source worker exited $code"
  fi
done

read -r done_runs all_runs answers < <(psql "$url" -tA -F ' ' -c \
  "SELECT (SELECT count(*) FILTER (WHERE status = 'done') FROM prompt_runs), (SELECT count(*) FROM prompt_runs),
          (SELECT count(*) FROM responses WHERE answer_text <> '')")
expected=$((prompts * ${#sources[@]}))
step "runs done: $done_runs of $all_runs, answers: $answers (expected $expected)"
[ "$done_runs" = "$expected" ] && [ "$all_runs" = "$expected" ] && [ "$answers" = "$expected" ] ||
  fail "not every run ended done with its answer"

step "avt serve on :$serve_port"
container --detach --name "$tag-serve" -e SERVE_PORT="$serve_port" -e AVT_API_TOKEN="$token" "$image" serve >/dev/null
for _ in $(seq 1 60); do
  podman healthcheck run "$tag-serve" >/dev/null 2>&1 && break
  sleep 0.5
done
podman healthcheck run "$tag-serve" >/dev/null || fail "avt serve never became healthy"
served=$(curl --fail --silent --show-error -H "Authorization: Bearer $token" "http://127.0.0.1:$serve_port/api/queue" |
  grep -o '"done":[0-9]*' | awk -F: '{ sum += $2 } END { print sum + 0 }')
step "serve is healthy; its /api/queue counts $served runs done"
[ "$served" = "$expected" ] || fail "avt serve's /api/queue counts $served runs done, not $expected"

step "avt demo, on the embedded PostgreSQL inside the container"
podman run --rm --label "$tag" --network host --no-healthcheck "$image" demo --prompts 2 --sources chatgpt,gemini \
  --latency-ms 300 >/dev/null || fail "avt demo failed in the image"

size=$(podman image inspect --format '{{.Size}}' "$image")
step "passed; image $image is $((size / 1024 / 1024)) MiB"
