#!/usr/bin/env bash
# Compiles every datapath object: each src/*.bpf.c once per variant listed in its first line
# ("// variants: NAME:-DFLAG ..."), or once if it lists none. Output: $1/bpf/<name>.o
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="${1:-$here/target}/bpf"
if ! command -v clang >/dev/null; then
  echo "bpf: clang not found. Install the Debian packages 'clang' and 'libbpf-dev' (apt-get install -y clang libbpf-dev)." >&2
  exit 1
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "bpf: /usr/include/bpf/bpf_helpers.h not found. Install the Debian package 'libbpf-dev'." >&2
  exit 1
fi
mkdir -p "$out"
arch_inc="/usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)"
for src in "$here"/src/*.bpf.c; do
  base=$(basename "$src" .bpf.c)
  variants=$(sed -n '1s#^// variants: ##p' "$src")
  [ -z "$variants" ] && variants="$base:"
  for v in $variants; do
    name=${v%%:*}; flags=${v#*:}
    clang -target bpf -O2 -g -Wall -Werror -I"$here/include" -I"$arch_inc" ${flags//,/ } -c "$src" -o "$out/$name.o"
  done
done
ls "$out"
