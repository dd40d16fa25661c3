#!/usr/bin/env bash
# The README's demo: a small week of work-management events goes into a
# fresh keel log, then we read state back, look at history and verify the
# hash chain. Usage: examples/demo.sh [PATH_TO_KEEL]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEEL="${1:-$ROOT/build/keel}"
DB="${KEEL_DEMO_DB:-$ROOT/build/demo-db}"
rm -rf "$DB"

# Prints each command as a user would type it, then runs it.
run() {
  printf '\n$ keel %s\n' "$*"
  "$KEEL" "$@"
}

cd "$ROOT"
echo "keel demo: one objective, its key results, an initiative and its tasks (examples/quickstart/)"
run ingest examples/quickstart/events.ndjson --db "$DB"
run state initiative/IN-7 --db "$DB"
run state key_result/KR-1 --db "$DB"
run state task/T-101 --db "$DB" --as-of 2026-03-03T00:00:00Z
run log --db "$DB" --entity task/T-101
run verify --db "$DB"
printf '\nThe log is in %s; try `keel log --db %s --json`.\n' "$DB" "$DB"
