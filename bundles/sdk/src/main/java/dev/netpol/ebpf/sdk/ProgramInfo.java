package dev.netpol.ebpf.sdk;

import java.util.List;

/** What the kernel reports about a program ({@code struct bpf_prog_info}). */
public record ProgramInfo(int id, int type, String name, String tag, List<Integer> mapIds) {
  public ProgramInfo {
    mapIds = List.copyOf(mapIds);
  }

  /** The tc classifier type {@code BPF_PROG_TYPE_SCHED_CLS}. */
  public static final int TYPE_SCHED_CLS = 3;
}
