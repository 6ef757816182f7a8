#!/usr/bin/env bash
# Creates Miri's Temporal namespace and registers the search attributes its workflows set, the
# way `miri up` does for its dev server (miri/src/temporal.rs). Idempotent: a namespace or an
# attribute that is already there is fine, so it runs on every deploy.
#
#   TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_NAMESPACE=miri deploy/temporal-setup.sh
#   deploy/temporal-setup.sh --retention 720h --wait 120
#
# Environment: TEMPORAL_ADDRESS (host:port, default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default
# "default", as the miri binary), TEMPORAL_BIN (the Temporal CLI; default `temporal` from PATH).
# The CLI's own TLS and API-key variables (TEMPORAL_TLS_*, TEMPORAL_API_KEY) pass through.
# Options: --retention DURATION (a new namespace's retention, default 720h), --wait SECONDS (how
# long to wait for the server to answer, default 120).
#
# For Temporal Cloud, create the namespace and the attributes with tcld or the Cloud UI instead:
# its namespaces are not created through the operator API.
set -euo pipefail

TEMPORAL=${TEMPORAL_BIN:-temporal}
ADDRESS=${TEMPORAL_ADDRESS:-127.0.0.1:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
RETENTION=720h
WAIT_SECS=120

# Every attribute Miri's workflows set, as Name:Type — the list `ALL` in workflows/src/search.rs
# (deploy/check.py fails when the two differ).
SEARCH_ATTRIBUTES=(
  ProjectId:Keyword
  SceneId:Keyword
  ShotId:Keyword
  ShotStatus:Keyword
  RenderId:Keyword
)

while [ $# -gt 0 ]; do
  case "$1" in
    --retention) RETENTION=${2:?--retention needs a duration, e.g. 720h}; shift 2 ;;
    --wait) WAIT_SECS=${2:?--wait needs a number of seconds}; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "temporal-setup: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "temporal-setup: $*"; }
die() { echo "temporal-setup: $*" >&2; exit 1; }

command -v "$TEMPORAL" >/dev/null 2>&1 \
  || die "no Temporal CLI at '$TEMPORAL' (install it, or set TEMPORAL_BIN; the repo's is .venv/bin/temporal)"

# The CLI with the connection flags every call shares.
cli() { "$TEMPORAL" "$@" --address "$ADDRESS"; }

say "waiting for Temporal at $ADDRESS (up to ${WAIT_SECS}s)"
deadline=$((SECONDS + WAIT_SECS))
until health=$(cli operator cluster health 2>&1) && grep -q SERVING <<<"$health"; do
  [ "$SECONDS" -lt "$deadline" ] || die "Temporal at $ADDRESS does not answer: $health"
  sleep 2
done

if out=$(cli operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" 2>&1); then
  say "namespace $NAMESPACE created (retention $RETENTION)"
elif grep -qi already <<<"$out"; then
  say "namespace $NAMESPACE already exists"
else
  die "creating namespace $NAMESPACE: $out"
fi

# A namespace just created is not in every server's cache at once; attributes added before it is
# would fail with "namespace not found".
until out=$(cli operator search-attribute list --namespace "$NAMESPACE" 2>&1); do
  [ "$SECONDS" -lt "$deadline" ] || die "namespace $NAMESPACE is not visible yet: $out"
  sleep 1
done

for attribute in "${SEARCH_ATTRIBUTES[@]}"; do
  name=${attribute%%:*}
  type=${attribute#*:}
  if out=$(cli operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" 2>&1); then
    say "search attribute $name ($type) registered"
  elif grep -qi already <<<"$out"; then
    say "search attribute $name already registered"
  else
    die "registering search attribute $name ($type): $out"
  fi
done

# "already exists" is also what an attribute of the same name but another type answers: read the
# namespace's attributes back and compare each type.
listed=$(cli operator search-attribute list --namespace "$NAMESPACE" 2>&1) \
  || die "listing the search attributes of $NAMESPACE: $listed"
for attribute in "${SEARCH_ATTRIBUTES[@]}"; do
  name=${attribute%%:*}
  type=${attribute#*:}
  found=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$listed")
  [ "$found" = "$type" ] \
    || die "search attribute $name is ${found:-missing} in $NAMESPACE, Miri needs $type" \
           "(an attribute's type cannot be changed: use another namespace)"
done

say "namespace $NAMESPACE is ready at $ADDRESS"
