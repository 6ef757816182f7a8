#!/usr/bin/env bash
# Fills the Cloud Run manifests next to this script with this deployment's values and applies
# them: the gateway service first (its URL is where fal sends webhooks), then the two worker
# pools. Run deploy/temporal-setup.sh against the Temporal cluster before the first deploy.
#
#   PROJECT_ID=my-proj REGION=europe-west1 \
#   IMAGE=europe-west1-docker.pkg.dev/my-proj/miri/miri:v1 \
#   TEMPORAL_ADDRESS=10.10.0.5:7233 REDIS_URL=redis://10.10.0.3:6379 \
#   MEDIA_BUCKET=my-proj-miri-media VPC_NETWORK=default VPC_SUBNET=default \
#   deploy/cloudrun/deploy.sh [--dry-run | --render-only DIR]
#
# Optional: TEMPORAL_NAMESPACE (default miri), GATEWAY_URL (default: the deployed gateway's URL,
# read with gcloud; set it when the gateway has a custom domain).
# --dry-run validates every manifest with Cloud Run without applying it; --render-only DIR only
# writes the filled-in manifests to DIR (no gcloud call).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# Every ${NAME} the manifests use (deploy/check.py fails on any other).
PLACEHOLDERS=(IMAGE PROJECT_ID REGION MEDIA_BUCKET TEMPORAL_ADDRESS TEMPORAL_NAMESPACE REDIS_URL GATEWAY_URL VPC_NETWORK VPC_SUBNET)
MANIFESTS=(gateway.yaml worker.yaml render-worker.yaml)

mode=apply
out=""
case "${1:-}" in
  "") ;;
  --dry-run) mode=dry-run ;;
  --render-only) mode=render; out=${2:?--render-only needs a directory} ;;
  -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
  *) echo "deploy: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

die() { echo "deploy: $*" >&2; exit 1; }

export TEMPORAL_NAMESPACE=${TEMPORAL_NAMESPACE:-miri}
missing=()
for name in PROJECT_ID REGION IMAGE TEMPORAL_ADDRESS REDIS_URL MEDIA_BUCKET VPC_NETWORK VPC_SUBNET; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
[ ${#missing[@]} -eq 0 ] || die "set ${missing[*]} (see --help)"
command -v envsubst >/dev/null || die "envsubst is missing (Debian: apt-get install gettext-base)"
[ "$mode" = render ] || command -v gcloud >/dev/null || die "gcloud is missing (https://cloud.google.com/sdk)"

gateway_url() {
  gcloud run services describe miri-gateway --project "$PROJECT_ID" --region "$REGION" \
    --format='value(status.url)' 2>/dev/null || true
}
if [ -z "${GATEWAY_URL:-}" ]; then
  [ "$mode" = render ] || GATEWAY_URL=$(gateway_url)
  # A first deploy learns the URL once the gateway exists (below); a dry run or a render has none.
  GATEWAY_URL=${GATEWAY_URL:-https://miri-gateway.example.invalid}
  first_url=$GATEWAY_URL
fi
export GATEWAY_URL PROJECT_ID REGION IMAGE TEMPORAL_ADDRESS REDIS_URL MEDIA_BUCKET VPC_NETWORK VPC_SUBNET

# Only the listed names are substituted, so nothing else in a manifest that looks like $X moves.
vars=$(printf '${%s} ' "${PLACEHOLDERS[@]}")
render() {
  envsubst "$vars" <"$here/$1" >"$2"
  ! grep -n '^[^#]*\${' "$2" || die "$1 still has a placeholder after filling it in"
}

if [ "$mode" = render ]; then
  mkdir -p "$out"
  for m in "${MANIFESTS[@]}"; do render "$m" "$out/$m"; done
  echo "deploy: wrote ${MANIFESTS[*]} to $out"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The region is each manifest's cloud.googleapis.com/location label (worker-pools replace takes no
# --region flag).
gcloud_flags=(--project "$PROJECT_ID")
[ "$mode" = dry-run ] && gcloud_flags+=(--dry-run)

render gateway.yaml "$work/gateway.yaml"
gcloud run services replace "$work/gateway.yaml" "${gcloud_flags[@]}"
if [ "$mode" = apply ]; then
  # The dashboard, the API (which checks its own tokens) and fal's webhooks are public.
  gcloud run services add-iam-policy-binding miri-gateway --project "$PROJECT_ID" --region "$REGION" \
    --member=allUsers --role=roles/run.invoker >/dev/null
  if [ "${first_url:-}" = https://miri-gateway.example.invalid ]; then
    GATEWAY_URL=$(gateway_url)
    [ -n "$GATEWAY_URL" ] || die "the gateway was deployed but gcloud reports no URL for it"
    export GATEWAY_URL
  fi
  echo "deploy: gateway at $GATEWAY_URL"
fi

for m in worker.yaml render-worker.yaml; do
  render "$m" "$work/$m"
  gcloud beta run worker-pools replace "$work/$m" "${gcloud_flags[@]}"
done
echo "deploy: done ($mode)"
