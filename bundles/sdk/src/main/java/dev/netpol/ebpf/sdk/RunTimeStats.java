package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Native;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The kernel's per-program run-time statistics ({@code BPF_ENABLE_STATS}, {@code
 * BPF_STATS_RUN_TIME}), on while at least one instance is open: every run of every program then
 * adds its duration to {@link ProgramInfo#runTimeNs()} and one to {@link ProgramInfo#runCount()}.
 * The accounting costs two clock reads per run, so it is for measurements and troubleshooting, not
 * left on. Closing gives the kernel's previous state back (the same as {@code sysctl
 * kernel.bpf_stats_enabled}, which counts separately).
 */
public final class RunTimeStats implements AutoCloseable {
  private static final int BPF_STATS_RUN_TIME = 0;
  private final int fd;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RunTimeStats(int fd) {
    this.fd = fd;
  }

  public static RunTimeStats enable() {
    int fd = Native.bpf().bpf_enable_stats(BPF_STATS_RUN_TIME);
    if (fd < 0) {
      throw new BpfException("bpf_enable_stats", "BPF_STATS_RUN_TIME", -fd);
    }
    return new RunTimeStats(fd);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Native.closeFd(fd);
    }
  }
}
