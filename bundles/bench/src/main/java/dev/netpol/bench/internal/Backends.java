package dev.netpol.bench.internal;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.backend.ebpf.EbpfBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * Backends created in this process, each with kernel names of its own (bpffs root, chain and set
 * prefixes) so nothing meets a running node's state. Configured as a node runs them by default.
 */
public final class Backends {
  private Backends() {}

  /** Backend names this distribution has, in the order they are shown. */
  public static List<String> installed() {
    List<String> names = new ArrayList<>(List.of(EbpfBackend.NAME));
    return names;
  }

  /** A new backend instance; closed (userspace only) and its kernel state removed by the run. */
  public static EnforcementBackend create(String name, BenchContext ctx, String suffix) {
    if (name.equals(EbpfBackend.NAME)) {
      EbpfBackend b = new EbpfBackend(new EbpfBackend.Config(ctx.pinRoot(suffix), 50, 60));
      ctx.onClose(b::close);
      ctx.onClose(b::release);
      return b;
    }
    throw new IllegalArgumentException("backend '" + name + "' is not installed");
  }
}
