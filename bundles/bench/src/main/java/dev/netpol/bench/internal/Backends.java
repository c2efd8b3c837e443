package dev.netpol.bench.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.backend.ebpf.EbpfBackend;
import dev.netpol.backend.iptables.IptablesBackend;
import java.nio.file.Path;
import java.time.Duration;
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
    return List.of(EbpfBackend.NAME, IptablesBackend.NAME);
  }

  /** First part of the iptables chains and sets of a bench run (Leftovers sweeps it). */
  static final String IPTABLES_PREFIX = "NPQ";

  /** The iptables backend's chain and set prefix for {@code suffix}: NPQ + 5 hex digits. */
  static String iptablesPrefix(String suffix) {
    return IPTABLES_PREFIX + String.format("%05X", suffix.hashCode() & 0xFFFFF);
  }

  private static IptablesBackend iptables(String prefix) {
    return new IptablesBackend(new IptablesBackend.Config(prefix, Duration.ofSeconds(30)));
  }

  /**
   * A new backend instance configured as a node runs it by default; released (kernel state) and
   * closed at the end of the run.
   */
  public static EnforcementBackend create(String name, BenchContext ctx, String suffix) {
    if (name.equals(EbpfBackend.NAME)) {
      return releasedAtEnd(
          ctx, new EbpfBackend(new EbpfBackend.Config(ctx.pinRoot(suffix), 50, 60)));
    }
    if (name.equals(IptablesBackend.NAME)) {
      return releasedAtEnd(ctx, iptables(iptablesPrefix(suffix)));
    }
    throw new IllegalArgumentException("backend '" + name + "' is not installed");
  }

  /** At the end of the run: released (kernel state), then closed. */
  private static <B extends EnforcementBackend & AutoCloseable> B releasedAtEnd(
      BenchContext ctx, B b) {
    ctx.onClose(b::close);
    ctx.onClose(b::release); // cleanups run last-in first-out
    return b;
  }

  /** {@code --set} settings giving a node process's backend the names of {@code suffix}. */
  public static List<String> nodeSettings(String name, BenchContext ctx, String suffix) {
    return name.equals(IptablesBackend.NAME)
        ? List.of("netpol.iptables.prefix=" + iptablesPrefix(suffix))
        : List.of();
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
    if (name.equals(IptablesBackend.NAME)) {
      releaseIptables(iptablesPrefix(suffix));
      return;
    }
    throw new IllegalArgumentException("backend '" + name + "' is not installed");
  }

  /** Removes every chain and set of the iptables backend under {@code prefix}. */
  static void releaseIptables(String prefix) throws Exception {
    try (IptablesBackend b = iptables(prefix)) {
      b.release();
    }
  }
}
