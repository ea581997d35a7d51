#!/usr/bin/env bash
# Whole-process measurement of summit on hostile feeds (issue #3, part 4): for each case
# of gen.py and each command, the exit status, wall time, peak RSS and whether stderr is
# clean (only `error:`/`warning:` lines, no panic). The acceptance bound is 2 s and
# 200 MB per run; this script reports, it does not fail on a miss (timing belongs in
# measurements, not in tests). A run is killed after $LIMIT seconds (default 60).
#
#   bash tests/hostile/measure.sh                 # every case, release build
#   bash tests/hostile/measure.sh count_4e9 deep_nesting
#   SUMMIT=target/debug/summit LIMIT=20 bash tests/hostile/measure.sh
#   COMMANDS="who --count 1000,rota --ics --count 1000" bash tests/hostile/measure.sh daily_summits_10k
#   COMMANDS="tick --dry-run" bash tests/hostile/measure.sh daily_summits_10k
#
# `tick` and `send` run with a fresh state directory per run (under $WORK/state).
#
# Needs python3 (to write the feeds) and GNU time at /usr/bin/time (Debian: `time`).
set -euo pipefail
cd "$(dirname "$0")/../.."

SUMMIT=${SUMMIT:-target/release/summit}
LIMIT=${LIMIT:-60}
MEM_MB=${MEM_MB:-4096}
WORK=${WORK:-target/hostile}
NOW=2026-06-01T00:00:00Z
[[ -x $SUMMIT ]] || cargo build --release --quiet
[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

mkdir -p "$WORK/out"
cat > "$WORK/summit.toml" <<'EOF'
[calendar]
summit = "(?i)summit"
zones = ["UTC", "Europe/Berlin"]

[mail]
from = "Summit Bot <bot@example.org>"
public-list = "developers@example.org"
team-list = "team@example.org"
transport = "file"

[[rotation.members]]
name = "Ada"
email = "ada@example.org"

[[rotation.members]]
name = "Grace"
email = "grace@example.org"
EOF

mapfile -t feeds < <(python3 tests/hostile/gen.py "$WORK/feeds" "$@")
# The commands run on each feed, comma-separated.
IFS=, read -r -a commands <<< "${COMMANDS:-events,events --count 100000,next --count 1000}"

printf '%-28s %-22s %4s %8s %9s  %s\n' case command exit secs peak_MB stderr
for feed in "${feeds[@]}"; do
  name=$(basename "$feed" .ics)
  for cmd in "${commands[@]}"; do
    args=(--now "$NOW" --feed "$feed")
    [[ $cmd == events* ]] || args+=(--config "$WORK/summit.toml")
    tag="$name.${cmd// /_}"
    if [[ $cmd == tick* || $cmd == send* ]]; then
      rm -rf "$WORK/state/$tag"
      mkdir -p "$WORK/state/$tag"
      args+=(--state-dir "$WORK/state/$tag")
    fi
    set +e
    (
      ulimit -v $((MEM_MB * 1024))
      exec /usr/bin/time -f '%e %M' -o "$WORK/out/$tag.time" \
        timeout -s KILL "$LIMIT" "$SUMMIT" "${args[@]}" $cmd --json
    ) >/dev/null 2>"$WORK/out/$tag.err"
    status=$?
    set -e
    read -r secs kb < <(tail -n1 "$WORK/out/$tag.time" | grep -E '^[0-9.]+ [0-9]+$' || echo "? 0")
    if grep -q panicked "$WORK/out/$tag.err"; then
      verdict="PANIC: $(grep -a -A1 'panicked at' "$WORK/out/$tag.err" | tail -n1 | cut -c1-60)"
    elif [[ $status -eq 137 ]]; then
      verdict="KILLED after ${LIMIT}s"
    elif grep -q 'overflowed its stack' "$WORK/out/$tag.err"; then
      verdict="CRASH: stack overflow"
    elif grep -q 'memory allocation of' "$WORK/out/$tag.err"; then
      verdict="ABORTED: out of memory at ${MEM_MB} MiB"
    elif grep -qvE '^(error|warning): ' "$WORK/out/$tag.err"; then
      verdict="unprefixed: $(grep -vE '^(error|warning): ' "$WORK/out/$tag.err" | head -c 80)"
    else
      warnings=$(grep -c '^warning: ' "$WORK/out/$tag.err" || true)
      error=$(grep -m1 '^error: ' "$WORK/out/$tag.err" | cut -c1-90 || true)
      verdict="ok, $warnings warnings${error:+, $error}"
    fi
    printf '%-28s %-22s %4s %8s %9s  %s\n' "$name" "$cmd" "$status" "$secs" "$((kb / 1024))" "$verdict"
  done
done
