#!/usr/bin/env bash
# What a user would script without keyctl to delete many fal keys: one curl
# per key, one after another (each its own process and connection). Reads the
# ids from the file named, one a line; stops at the first failure.
#
#   KEYCTL_FAL_BASE_URL=http://127.0.0.1:PORT/fal/v1 FAL_ADMIN_KEY=id:secret \
#     Benchmarks/curl-delete-loop.sh ids.txt
set -euo pipefail
base="${KEYCTL_FAL_BASE_URL:?set KEYCTL_FAL_BASE_URL}"
auth="Authorization: Key ${FAL_ADMIN_KEY:?set FAL_ADMIN_KEY}"
while IFS= read -r id; do
  curl -sf -o /dev/null -X DELETE -H "$auth" "$base/keys/$id"
done <"${1:?usage: curl-delete-loop.sh IDS_FILE}"
