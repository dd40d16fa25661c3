#!/usr/bin/env bash
# The README's demo. First a small week of work-management events goes into a
# fresh keel log: we read state back, look at history and verify the hash
# chain. Then scenario pack 1 runs (examples/01-initiative-kickoff/): an
# initiative moving to "in_progress" spawns its execution tasks from a
# template, assigned by role, due in business days and linked to the
# initiative, and `keel explain` tells why one of them exists.
# Usage: examples/demo.sh [PATH_TO_KEEL]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEEL="${1:-$ROOT/build/keel}"
DB="${KEEL_DEMO_DB:-$ROOT/build/demo-db}"
RULES_DB="$DB-rules"
rm -rf "$DB" "$RULES_DB"

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

PACK=examples/01-initiative-kickoff
printf '\n---\nRules: when an initiative moves to in_progress, spawn its execution tasks (%s/)\n' "$PACK"
run rules check "$PACK"
run rules test "$PACK"
run run --rules "$PACK" --events "$PACK/events.ndjson" --db "$RULES_DB"
run log --db "$RULES_DB" --entity initiative/IN-42 --workspace acme
run verify --db "$RULES_DB"

printf '\n---\nAudit: why does the brief task exist, and what would a changed rule have done?\n'
# Seq 1 activates the rule set, 2 and 3 are the initiative's input events, 4 is
# the first task the template spawned (the brief).
run explain 4 --db "$RULES_DB"
# The brief's id is derived from the trigger, the rule and the template's key
# (ko-002, kickoff-initiative, then[0]/brief): the same in every run.
run state task/t-c7bdaca5875ebc5e --db "$RULES_DB"
run whatif --db "$RULES_DB" --rules examples/kickoff-candidate/rules --templates "$PACK/templates"
run replay --db "$RULES_DB"
printf '\nThe logs are in %s and %s; try `keel log --db %s --json`.\n' "$DB" "$RULES_DB" "$RULES_DB"

printf '\n---\nSee it in a browser: the web page over a log, read-only, on 127.0.0.1 (Ctrl-C stops it):\n'
printf '  %s serve --db %s\n' "$KEEL" "$DB"
printf 'then open http://127.0.0.1:8081/#/w/acme/okr (the objective and its key results), or serve %s\n' "$RULES_DB"
printf 'and open http://127.0.0.1:8081/#/w/acme/entities (the spawned tasks; each one'"'"'s "why" is its explain view).\n'

