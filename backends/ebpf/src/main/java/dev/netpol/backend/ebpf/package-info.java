/**
 * The eBPF enforcement backend: {@link dev.netpol.backend.ebpf.EbpfBackend} programs each pod's tc
 * programs and rule tries (pinned under a bpffs root, so enforcement outlives the agent), and
 * {@link dev.netpol.backend.ebpf.EbpfCli} reads those pins for operators. Kernel layout and
 * lifecycle: the module README and bpf/README.md.
 */
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.netpol.backend.ebpf;
