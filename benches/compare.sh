#!/usr/bin/env bash
# Whole-process comparison: wall time and peak memory of `summit events` and of the
# reference implementation (../shared/tools/reference-occurrences.py) on the same
# queries over the real feeds. Needs a release build and the reference's venv:
#   cargo build --release
#   python3 -m venv ~/ref-venv && ~/ref-venv/bin/pip install recurring-ical-events==3.8.2 icalendar==7.3.0
#   bash benches/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SUMMIT_SHARED:-../shared}
REF_PYTHON=${REF_PYTHON:-$HOME/ref-venv/bin/python}
BIN=${SUMMIT_BIN:-target/release/summit}
FROM=2024-06-01T00:00:00Z
TO=2026-08-11T00:00:00Z   # FROM + 800 days, the reference's horizon
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 1; }

measure() { # label, command...
  local label=$1; shift
  local out tmp
  tmp=$(mktemp)
  /usr/bin/time -o "$tmp" -f '%e %M' "$@" >/dev/null 2>/dev/null
  out=$(tail -1 "$tmp"); rm -f "$tmp"
  printf '  %-10s %6.2f s  %7.1f MB\n' "$label" "$(echo "$out" | cut -d' ' -f1)" "$(echo "$out" | awk '{print $2/1024}')"
}

for feed in real/finos-community_2024-11-05.ics real/galaxy-wg_2026-06-29.ics \
            recurring-ical-events/benchmark/issue42.ics; do
  f="$SHARED/fixtures/ics/$feed"
  [ -f "$f" ] || continue
  echo "$feed ($(du -h "$f" | cut -f1)), 200 occurrences from $FROM:"
  measure summit "$BIN" events --feed "$f" --from "$FROM" --to "$TO" --count 200 --json
  measure reference "$REF_PYTHON" "$SHARED/tools/reference-occurrences.py" "$f" "$FROM" 200
done
