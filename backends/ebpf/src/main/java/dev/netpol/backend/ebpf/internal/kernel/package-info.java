/**
 * The minimal libbpf/libc binding the backend uses (jnr-ffi): object load with map pin paths and
 * verifier log, map and program fds, pins, tc clsact filters with atomic replace, BPF_PROG_RUN,
 * BTF struct layouts, ring buffers. Every returned fd is owned by an AutoCloseable.
 */
package dev.netpol.backend.ebpf.internal.kernel;
