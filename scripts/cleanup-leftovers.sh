#!/usr/bin/env bash
# Removes kernel state that an interrupted netpol test run may have left: test network namespaces,
# veths, pins, iptables chains and ipsets with netpol's test prefixes. Never touches anything else.
set -u
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^(np|smk)' || true); do
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
done
for l in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(np|sm[0-9])' || true); do
  ip link del "$l" 2>/dev/null
done
for d in /sys/fs/bpf/netpol-test-*; do [ -e "$d" ] && rm -rf "$d"; done

# iptables chains (filter and nat, both families), our jumps into them and ipsets of the tests'
# prefixes: NP, a test family's letter (e2e E, console U, conformance C and I, backend lab X,
# jnetfilter F, service proxy T, bench Q), a run's hex (4-5 digits, or a pid's 1-4) and an
# optional I (the iptables backend's prefix derived from a run's chain prefix); and NPITSW
# (BackendSwitchingIT). The shipped defaults (NETPOL, NPIPT) do not match.
ours='(NP[ECIUXFTQ][0-9a-fA-F]{1,5}I?|NPITSW)-[A-Za-z0-9_-]+'
for fam in iptables ip6tables; do
  command -v "$fam-restore" >/dev/null 2>&1 || continue
  for table in filter nat; do
    saved=$("$fam-save" -t "$table" 2>/dev/null) || continue
    chains=$(printf '%s\n' "$saved" | grep -oE "^:$ours" | cut -c2- || true)
    [ -n "$chains" ] || continue
    {
      echo "*$table"
      printf '%s\n' "$saved" | grep -E "^-A (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) .*-j $ours( |\$)" | sed 's/^-A /-D /'
      for c in $chains; do echo ":$c - [0:0]"; done
      for c in $chains; do echo "-X $c"; done
      echo COMMIT
    } | "$fam-restore" --noflush 2>/dev/null || echo "cleanup-leftovers: $fam $table: restore failed" >&2
  done
done
if command -v ipset >/dev/null 2>&1; then
  for s in $(ipset list -n 2>/dev/null | grep -E "^$ours\$" || true); do ipset destroy "$s" 2>/dev/null; done
fi
exit 0
