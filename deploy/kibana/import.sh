#!/usr/bin/env bash
# Import the listing-watch saved objects into Kibana through its API.
#
#   KIBANA_URL=http://127.0.0.1:5601 deploy/kibana/import.sh
#
# Credentials, when Kibana needs them: KIBANA_API_KEY (preferred) or
# KIBANA_USERNAME + KIBANA_PASSWORD. Objects with the same ids are
# overwritten, so running it again after an update is safe.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
url="${KIBANA_URL:-http://127.0.0.1:5601}"
auth=()
if [[ -n "${KIBANA_API_KEY:-}" ]]; then
  auth=(-H "Authorization: ApiKey ${KIBANA_API_KEY}")
elif [[ -n "${KIBANA_USERNAME:-}" ]]; then
  auth=(-u "${KIBANA_USERNAME}:${KIBANA_PASSWORD:-}")
fi

response="$(curl -sS --fail-with-body "${auth[@]}" \
  -X POST "${url}/api/saved_objects/_import?overwrite=true" \
  -H 'kbn-xsrf: listing-watch' \
  --form "file=@${here}/saved-objects.ndjson")"
echo "${response}"
if [[ "${response}" != *'"success":true'* ]]; then
  echo "import.sh: Kibana did not import every object; see the errors above" >&2
  exit 1
fi
