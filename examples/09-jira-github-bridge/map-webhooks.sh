#!/usr/bin/env bash
# Maps the pack's webhook payloads, in order, to keel events with `keel map`,
# the way the receiver of `keel serve` would, and prints the story's whole
# input: events.ndjson (the strategy set up in keel) followed by the mapped
# events. Usage: map-webhooks.sh [KEEL] > input.ndjson
set -euo pipefail
keel=${1:-keel}
pack=$(cd "$(dirname "$0")" && pwd)
cat "$pack/events.ndjson"
for payload in "$pack"/webhooks/*.json; do
  name=$(basename "$payload" .json)     # NN-TOOL-what: TOOL is the built-in mapping
  tool=$(cut -d- -f2 <<<"$name")
  headers=()
  while IFS= read -r line; do
    [[ -n $line ]] && headers+=(--header "$line")
  done < "$pack/webhooks/$name.headers"
  "$keel" map --source "$tool" --workspace acme --people "$pack/people/acme.yaml" "${headers[@]}" "$payload"
done
