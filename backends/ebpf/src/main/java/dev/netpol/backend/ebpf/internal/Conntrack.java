package dev.netpol.backend.ebpf.internal;

import dev.netpol.backend.ebpf.internal.abi.CtKey;
import dev.netpol.backend.ebpf.internal.abi.CtValue;
import dev.netpol.ebpf.sdk.BpfMap;
import java.time.Duration;

/**
 * Garbage collection of the node-wide conntrack map. Timestamps are bpf_ktime_get_ns, i.e.
 * CLOCK_MONOTONIC, the clock System.nanoTime reads on Linux. No netfilter conntrack is consulted:
 * an entry lives until it has been idle longer than its protocol's timeout.
 */
public final class Conntrack {
  public static final Duration TCP_OPEN = Duration.ofHours(6);
  public static final Duration TCP_CLOSING = Duration.ofSeconds(10);
  public static final Duration UDP = Duration.ofSeconds(120);
  public static final Duration OTHER = Duration.ofSeconds(60);

  private Conntrack() {}

  static long timeoutNs(CtKey k, CtValue v) {
    if (k.proto() == 6) {
      return (v.closing() ? TCP_CLOSING : TCP_OPEN).toNanos();
    }
    return (k.proto() == 17 || k.proto() == 132 ? UDP : OTHER).toNanos();
  }

  /** Deletes entries idle past their timeout as of {@code nowNs}; returns how many. */
  public static int gc(BpfMap map, long nowNs) {
    int deleted = 0;
    for (byte[] raw : map.keys()) {
      byte[] v = map.get(raw).orElse(null);
      if (v == null) {
        continue;
      }
      CtKey k = CtKey.decode(raw);
      CtValue cv = CtValue.decode(v);
      if (nowNs - cv.lastSeenNs() > timeoutNs(k, cv)) {
        // Re-read right before deleting: a packet may have refreshed it meanwhile.
        byte[] again = map.get(raw).orElse(null);
        if (again != null
            && nowNs - CtValue.decode(again).lastSeenNs() > timeoutNs(k, cv)
            && map.delete(raw)) {
          deleted++;
        }
      }
    }
    return deleted;
  }
}
