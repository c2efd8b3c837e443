#!/usr/bin/env bash
# All tests on a fresh machine: install what is missing, build, run unit, kernel and Pax Exam
# tests (mvn verify), then the acceptance smoke of the built distribution. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
# one kernel-test run per machine at a time: the leftover sweep below must not remove a live run's state
exec 9>/tmp/netpol-kernel.lock
flock -w 5400 9
bash scripts/deps.sh
bash scripts/cleanup-leftovers.sh
mvn -B verify "$@"
smoke=../shared/acceptance/smoke
if [ -x "$smoke" ] || [ -f "$smoke" ]; then
  echo "== acceptance smoke"
  python3 "$smoke"
  echo "== acceptance smoke, iptables backend"
  python3 "$smoke" --backend iptables
fi
# the benchmark harness keeps working (a benchmark, not a timed test: fails only if a suite throws
# or a results file or plot is missing)
echo "== bench --size quick"
distribution/target/netpol/bin/netpol bench all --size quick --out target/bench-quick
