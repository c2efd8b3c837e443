package dev.netpol.ebpf.sdk;

import java.util.List;

/**
 * What the kernel reports about a program ({@code struct bpf_prog_info}). {@code runTimeNs} and
 * {@code runCount} are the kernel's totals over the times run-time statistics were on (see {@link
 * RunTimeStats}); 0 when they never were.
 */
public record ProgramInfo(
    int id,
    int type,
    String name,
    String tag,
    List<Integer> mapIds,
    long runTimeNs,
    long runCount) {
  public ProgramInfo {
    mapIds = List.copyOf(mapIds);
  }

  /** Without run-time statistics. */
  public ProgramInfo(int id, int type, String name, String tag, List<Integer> mapIds) {
    this(id, type, name, tag, mapIds, 0, 0);
  }

  /** The tc classifier type {@code BPF_PROG_TYPE_SCHED_CLS}. */
  public static final int TYPE_SCHED_CLS = 3;
}
