#!/bin/sh
# The image's entry point: which Junction process this container runs.
#
#   gateway [junction gateway options]        the gateway (the default); see below for its supergraph
#   accounts | products | inventory | reviews one subgraph (npm run start:<name>)
#   seed [--reset] | migrate                  npm run db:seed / npm run db:migrate, then exit
#   junction <command> [options]              any junction command, e.g. api-key create
#
# Each runs node itself through exec, not npm: the Node process gets SIGTERM
# straight from Docker or Kubernetes and shuts down gracefully.
set -eu

service="${1:-gateway}"
if [ "$#" -gt 0 ]; then shift; fi

case "$service" in
  gateway)
    # The committed supergraph.graphql routes to localhost. Unless given one with
    # --supergraph (e.g. mounted from a ConfigMap), compose supergraph.yaml now,
    # as `npm run compose` does, with the routing URLs of this deployment
    # (ACCOUNTS_URL, PRODUCTS_URL, INVENTORY_URL, REVIEWS_URL). Offline: it reads schema/.
    # Each contract of contracts.yaml is composed too, beside a copy of it (the
    # image's own files are read-only), and served with --contract; CONTRACT_CLIENTS
    # says which clients get it.
    case " $* " in
      *" --supergraph "* | *" --supergraph="*) ;;
      *)
        out="${TMPDIR:-/tmp}/junction"
        supergraph="$out/supergraph.graphql"
        mkdir -p "$out"
        if [ -f contracts.yaml ]; then
          cp contracts.yaml "$out/contracts.yaml"
          node --import tsx scripts/compose.ts --output "$supergraph" --contracts "$out/contracts.yaml"
        else
          node --import tsx scripts/compose.ts --output "$supergraph"
        fi
        set -- --supergraph "$supergraph" "$@"
        for contract in "$out"/contracts/*.graphql; do
          [ -f "$contract" ] || continue
          set -- "$@" --contract "$(basename "$contract" .graphql)=$contract"
        done
        ;;
    esac
    # The node options of bin/junction.js's first line (docs/PERFORMANCE.md).
    exec node --max-semi-space-size=64 bin/junction.js gateway "$@"
    ;;
  accounts | products | inventory | reviews)
    exec node --import tsx "subgraphs/$service/src/index.ts" "$@"
    ;;
  seed)
    exec node --import tsx scripts/seed.ts "$@"
    ;;
  migrate)
    exec node --import tsx scripts/migrate.ts "$@"
    ;;
  junction)
    exec node --max-semi-space-size=64 bin/junction.js "$@"
    ;;
  *)
    echo "Unknown service \"$service\": expected gateway, accounts, products, inventory, reviews, seed, migrate or junction." >&2
    exit 2
    ;;
esac
