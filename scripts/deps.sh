#!/usr/bin/env bash
# Installs the Debian packages netpol builds and tests with, when any is missing. Run as root.
set -euo pipefail
need=()
for pkg in clang llvm libbpf-dev bpftool iptables ipset iproute2 iperf3 sockperf tcpdump chromium chromium-driver python3 maven openjdk-17-jdk-headless; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "netpol: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v kubectl >/dev/null || echo "netpol: note: kubectl is not installed; the kubectl tests and the smoke check need it" >&2
# the bpf filesystem, where netpol pins its programs and maps
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
