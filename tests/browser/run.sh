#!/usr/bin/env bash
# The ctest entry of the browser tests: checks that Node, Debian's chromium
# and playwright-core (npm ci here) are installed, then runs run.js. Missing
# one: exit 77 (ctest reports the test skipped), or 1 with
# KEEL_REQUIRE_BROWSER=1 (CI sets it, so a skip cannot hide there).
# run.sh KEEL_BINARY SCREENSHOT_DIR [CASE...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHROMIUM="${KEEL_CHROMIUM:-/usr/bin/chromium}"

missing=()
command -v node >/dev/null 2>&1 || missing+=("node (Debian package nodejs)")
[[ -x "$CHROMIUM" ]] || missing+=("$CHROMIUM (Debian package chromium)")
[[ -d "$HERE/node_modules/playwright-core" ]] || missing+=("playwright-core (run: cd tests/browser && npm ci)")
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ "${KEEL_REQUIRE_BROWSER:-0}" == 1 ]]; then
    echo "browser tests: KEEL_REQUIRE_BROWSER=1 but missing: ${missing[*]}; .ci/setup installs them" >&2
    exit 1
  fi
  echo "browser tests skipped: missing ${missing[*]} (.ci/setup installs them; KEEL_REQUIRE_BROWSER=1 makes this a failure)"
  exit 77
fi
exec node "$HERE/run.js" --keel "$1" --screenshots "$2" "${@:3}"
