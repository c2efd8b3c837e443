package dev.netpol.bench.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.backend.ebpf.EbpfBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The backends the bench compares, each with kernel names of its own (bpffs root, chain and set
 * prefixes) so nothing meets another node's state: created in this process (datapath, rule
 * programming) or named to a {@code bin/netpol node} process ({@link #nodeSettings}).
 */
public final class Backends {
  private Backends() {}

  /** Backend names this distribution has, in the order they are shown. */
  public static List<String> installed() {
    List<String> names = new ArrayList<>(List.of(EbpfBackend.NAME));
    return names;
  }

  /**
   * A new backend instance configured as a node runs it by default; released (kernel state) and
   * closed at the end of the run.
   */
  public static EnforcementBackend create(String name, BenchContext ctx, String suffix) {
    if (name.equals(EbpfBackend.NAME)) {
      EbpfBackend b = new EbpfBackend(new EbpfBackend.Config(ctx.pinRoot(suffix), 50, 60));
      ctx.onClose(b::close);
      ctx.onClose(b::release);
      return b;
    }
    throw new IllegalArgumentException("backend '" + name + "' is not installed");
  }

  /** {@code --set} settings giving a node process's backend the names of {@code suffix}. */
  public static List<String> nodeSettings(String name, BenchContext ctx, String suffix) {
    return List.of();
  }

  /**
   * Removes every kernel object a (stopped) node's backend left: what a node that never ran looks
   * like.
   */
  public static void release(String name, BenchContext ctx, Path pinRoot, String suffix)
      throws Exception {
    if (name.equals(EbpfBackend.NAME)) {
      try (EbpfBackend b = new EbpfBackend(new EbpfBackend.Config(pinRoot, 0, 0))) {
        b.release();
      }
      BenchContext.deleteTree(pinRoot);
      return;
    }
    throw new IllegalArgumentException("backend '" + name + "' is not installed");
  }
}
