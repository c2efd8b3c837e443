package dev.netpol.backend.ebpf;

import dev.netpol.backend.ebpf.internal.TcFilters;
import dev.netpol.ebpf.sdk.BpfProgram;
import dev.netpol.ebpf.sdk.Interfaces;
import dev.netpol.ebpf.sdk.Introspection;
import dev.netpol.ebpf.sdk.ProgramInfo;
import dev.netpol.ebpf.sdk.RunTimeStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What programs cost on live traffic, from the kernel's own accounting ({@link RunTimeStats}) over
 * a window: runs, mean time per run and the share of one CPU spent in the program. End-to-end
 * throughput on a shared machine varies by several percent from run to run; this does not, so it is
 * the figure that shows how the datapath's cost grows with policy size. The accounting adds two
 * clock reads per run while it is on.
 */
public record ProgramCost(long runs, long runTimeNs, long windowNs) {
  public double nsPerRun() {
    return runs == 0 ? 0 : (double) runTimeNs / runs;
  }

  public double runsPerSecond() {
    return runs * 1e9 / windowNs;
  }

  /** Time in the program / wall time: 0.01 = 1 % of one CPU. */
  public double cpuShare() {
    return (double) runTimeNs / windowNs;
  }

  /**
   * The programs netpol's filters run on a pod's host interface: the tc egress one (packets
   * entering the pod) first, then tc ingress (leaving it); none if nothing of netpol is attached.
   * The caller closes them.
   */
  public static List<BpfProgram> attachedTo(String hostInterface) {
    int ifindex = Interfaces.require(hostInterface);
    List<BpfProgram> out = new ArrayList<>();
    for (TcFilters.Hook hook : List.of(TcFilters.Hook.EGRESS, TcFilters.Hook.INGRESS)) {
      int id = TcFilters.attachedProgramId(ifindex, hook);
      if (id > 0) {
        out.add(BpfProgram.fromId(id));
      }
    }
    return out;
  }

  /** Measures {@code programs} over {@code window} of whatever traffic runs meanwhile. */
  public static List<ProgramCost> measure(List<BpfProgram> programs, Duration window) {
    return measure(programs, () -> sleep(window));
  }

  /** Measures {@code programs} while {@code traffic} runs (e.g. a throughput test). */
  public static List<ProgramCost> measure(List<BpfProgram> programs, Runnable traffic) {
    try (RunTimeStats on = RunTimeStats.enable()) {
      List<ProgramInfo> before = infos(programs);
      long t0 = System.nanoTime();
      traffic.run();
      long window = System.nanoTime() - t0;
      List<ProgramInfo> after = infos(programs);
      List<ProgramCost> out = new ArrayList<>();
      for (int i = 0; i < programs.size(); i++) {
        out.add(
            new ProgramCost(
                after.get(i).runCount() - before.get(i).runCount(),
                after.get(i).runTimeNs() - before.get(i).runTimeNs(),
                window));
      }
      return out;
    }
  }

  private static List<ProgramInfo> infos(List<BpfProgram> programs) {
    return programs.stream()
        .map(p -> Introspection.program(p.id()).orElseThrow(() -> gone(p)))
        .toList();
  }

  private static IllegalStateException gone(BpfProgram p) {
    return new IllegalStateException(p.describe() + " is gone");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
