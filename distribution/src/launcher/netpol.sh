#!/usr/bin/env bash
# netpol: the one entry point. See `netpol --help`.
set -euo pipefail
home=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
level=info
case "${1:-}" in ebpf|iptables|lab|bench|backend|--help|-h|help|"") level=warn ;; esac
# A node agent is a small, long-lived process beside the pods: serial GC, C1 only, a heap that
# gives memory back after a collection, the C heap trimmed every 10 s (what the JIT and libbpf
# freed goes back to the OS), metaspace chunks returned eagerly, small stacks and code cache, two
# malloc arenas. On a node also: a 4 MB young generation (its eden is resident whole; the
# controller keeps the default, it allocates far more), methods compiled only once they are four
# times as hot as usual (start-up code stays interpreted: a third less code cache), and reflection
# without a generated class per method called (Jackson's setters: about 200 classes). `netpol
# bench scale` measures the resident memory these give (bundles/bench/README.md).
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
opts="-Xms16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=10000 -XX:MetaspaceReclaimPolicy=aggressive -XX:ReservedCodeCacheSize=32m -Xss512k"
case "${1:-}" in node) opts="$opts -Xmn4m -XX:CompileThresholdScaling=4 -Dsun.reflect.inflationThreshold=2147483647" ;; esac
# NETPOL_JAVA_OPTS replaces these options; NETPOL_JAVA_EXTRA_OPTS adds to them (the image's)
exec "$java" ${NETPOL_JAVA_OPTS:-$opts} ${NETPOL_JAVA_EXTRA_OPTS:-} \
  -Dnetpol.home="$home" \
  -Djava.util.logging.config.file="$home/etc/logging.properties" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel="${NETPOL_LOG_LEVEL:-$level}" \
  -Dorg.slf4j.simpleLogger.showDateTime=true \
  "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSXXX" \
  -Dorg.slf4j.simpleLogger.showThreadName=false \
  -Dorg.slf4j.simpleLogger.showShortLogName=true \
  -Dorg.slf4j.simpleLogger.logFile=System.out \
  -Dorg.slf4j.simpleLogger.log.io.fabric8=error \
  -Dorg.slf4j.simpleLogger.log.org.apache.felix.webconsole=warn \
  -Dorg.slf4j.simpleLogger.log.org.apache.felix.http=warn \
  -Dorg.slf4j.simpleLogger.log.org.eclipse.jetty=warn \
  -cp "$home/lib/*" dev.netpol.launcher.Main "$@"
