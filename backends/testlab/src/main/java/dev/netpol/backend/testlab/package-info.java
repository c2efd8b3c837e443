/**
 * The backends' shared kernel-test fixture: {@link dev.netpol.backend.testlab.PodLab} makes pods as
 * network namespaces with veths and runs the lab's Python servers, probes and streams in them. A
 * test-scope dependency of backends/ebpf and backends/iptables; never shipped.
 */
package dev.netpol.backend.testlab;
