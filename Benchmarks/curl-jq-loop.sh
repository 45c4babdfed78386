#!/usr/bin/env bash
# What a user would script without keyctl: page through fal's GET /keys with
# curl, pull the keys and the next cursor out of each page with jq, loop.
# One curl and two jq processes per page. Prints one key object per line.
#
#   KEYCTL_FAL_BASE_URL=http://127.0.0.1:PORT/fal/v1 FAL_ADMIN_KEY=id:secret \
#     Benchmarks/curl-jq-loop.sh
set -euo pipefail
base="${KEYCTL_FAL_BASE_URL:?set KEYCTL_FAL_BASE_URL}"
auth="Authorization: Key ${FAL_ADMIN_KEY:?set FAL_ADMIN_KEY}"
cursor=""
while :; do
  if [ -n "$cursor" ]; then
    page="$(curl -sfG -H "$auth" "$base/keys" -d limit=100 --data-urlencode "cursor=$cursor")"
  else
    page="$(curl -sfG -H "$auth" "$base/keys" -d limit=100)"
  fi
  jq -c '.keys[]' <<<"$page"
  cursor="$(jq -r 'if .has_more then .next_cursor // empty else empty end' <<<"$page")"
  [ -n "$cursor" ] || break
done
