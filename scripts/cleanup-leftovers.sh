#!/usr/bin/env bash
# Removes kernel state that an interrupted netpol test run may have left: test network namespaces,
# veths and pins with netpol's test prefixes. Never touches anything else.
set -u
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^(np|smk)' || true); do
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
done
for l in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(np|sm[0-9])' || true); do
  ip link del "$l" 2>/dev/null
done
for d in /sys/fs/bpf/netpol-test-*; do [ -e "$d" ] && rm -rf "$d"; done
exit 0
