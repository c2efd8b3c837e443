#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and run the standalone node
# (embedded Kubernetes API + policy controller + node agent + eBPF backend) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
if [ ! -x distribution/target/netpol/bin/netpol ] || [ -n "$(find . -path ./distribution/target -prune -o -newer distribution/target/netpol/bin/netpol -name '*.java' -print -quit)" ]; then
  mvn -B -q install -DskipTests
fi
exec distribution/target/netpol/bin/netpol standalone "$@"
