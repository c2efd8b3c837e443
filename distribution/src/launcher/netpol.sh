#!/usr/bin/env bash
# netpol: the one entry point. See `netpol --help`.
set -euo pipefail
home=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
level=info
case "${1:-}" in ebpf|lab|bench|backend|--help|-h|help|"") level=warn ;; esac
# A node agent is a small, long-lived process beside the pods: serial GC, C1 only, a heap that
# gives memory back after a collection, small stacks and code cache, two malloc arenas
# (`netpol bench scale` measures the resident memory these give).
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
exec "$java" ${NETPOL_JAVA_OPTS:--Xms16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:ReservedCodeCacheSize=32m -Xss512k} \
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
