#!/usr/bin/env bash
# rotate-ci-keys.sh: give CI a fresh fal key, and name the older CI keys to retire.
#
#   NEW_KEY="$(Scripts/examples/rotate-ci-keys.sh)"     # the new secret, alone on stdout
#   Scripts/examples/rotate-ci-keys.sh ci-deploy-       # another name prefix (default: ci-)
#
# Creates a fal key named PREFIX plus the UTC time and prints its secret (what
# FAL_KEY holds) on stdout, then lists on stderr the other keys whose name
# contains PREFIX, each with the command that deletes it once every client has
# the new secret. When keyctl fails, the script stops with keyctl's exit code
# (keyctl has already said why on stderr), so a CI job fails loudly; the secret
# is printed before the listing, so a failing listing cannot lose it.
#
# Try it against the bundled simulator, with and without a failing provider:
#   Scripts/with-simulator Scripts/examples/rotate-ci-keys.sh
#   Scripts/with-simulator --fault '{"provider":"fal","kind":"status","status":503,"times":-1}' \
#     -- Scripts/examples/rotate-ci-keys.sh
# KEYCTL names the keyctl to run (default: keyctl on PATH).
set -euo pipefail

prefix="${1:-ci-}"
keyctl="${KEYCTL:-keyctl}"
name="$prefix$(date -u +%Y%m%d%H%M%S)"

# A create is never retried by keyctl; on failure `set -e` ends the script with its code.
secret="$("$keyctl" create -p fal --name "$name" -q)"
printf '%s\n' "$secret"
new_id="${secret%%:*}" # fal's secret is key_id:key_secret
echo "rotate-ci-keys: created fal key $new_id named $name" >&2

# One {"id":"…"} object per line; keyctl's ids are plain, so sed reads them.
ids="$("$keyctl" list -p fal --name-contains "$prefix" --fields id -o ndjson |
  sed -n 's/^{"id":"\([^"\\]*\)"}$/\1/p')"
old=()
while IFS= read -r id; do
  [ -n "$id" ] && [ "$id" != "$new_id" ] && old+=("$id")
done <<<"$ids"
if [ ${#old[@]} -eq 0 ]; then
  echo "rotate-ci-keys: no older keys contain '$prefix'" >&2
else
  echo "rotate-ci-keys: once every client uses the new secret, delete the older keys:" >&2
  for id in "${old[@]}"; do echo "  keyctl delete -p fal $id" >&2; done
fi
