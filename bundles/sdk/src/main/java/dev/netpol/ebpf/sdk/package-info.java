/**
 * The netpol eBPF SDK: the system libbpf (1.1) through jnr-ffi. Open and load BPF objects ({@link
 * dev.netpol.ebpf.sdk.BpfObject}, verifier log on failure), maps with raw, typed ({@link
 * dev.netpol.ebpf.sdk.TypedMap} + {@link dev.netpol.ebpf.sdk.Codec}), batch and map-in-map access
 * ({@link dev.netpol.ebpf.sdk.BpfMap}), pins under a bpffs root ({@link dev.netpol.ebpf.sdk.Pins}),
 * tc clsact hooks ({@link dev.netpol.ebpf.sdk.TcHook}), BPF_PROG_RUN ({@link
 * dev.netpol.ebpf.sdk.BpfProgram#testRun}), ring buffers, node-wide introspection (with the
 * kernel's run-time statistics, {@link dev.netpol.ebpf.sdk.RunTimeStats}) and BTF struct layouts,
 * and {@link dev.netpol.ebpf.sdk.DirectoryLock} (flock on a pin root). Every failing call throws
 * {@link dev.netpol.ebpf.sdk.BpfException} naming the call, the object and the errno.
 */
@org.osgi.annotation.versioning.Version("1.3.0")
package dev.netpol.ebpf.sdk;
