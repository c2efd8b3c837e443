package dev.netpol.ebpf.sdk;

/**
 * Result of BPF_PROG_RUN: the program's return value (for tc: TC_ACT_OK 0, TC_ACT_SHOT 2, ...), the
 * kernel-measured average duration per repetition, and the packet as the program left it.
 */
public record TestRunResult(int retval, long averageNanos, byte[] dataOut) {}
