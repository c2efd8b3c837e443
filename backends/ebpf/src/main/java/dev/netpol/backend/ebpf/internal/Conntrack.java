package dev.netpol.backend.ebpf.internal;

import dev.netpol.backend.ebpf.internal.abi.CtKey;
import dev.netpol.backend.ebpf.internal.abi.CtValue;
import dev.netpol.ebpf.sdk.BpfMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Garbage collection of the node-wide conntrack map, with batch map operations (one syscall per few
 * thousand entries, not one per entry). Timestamps are bpf_ktime_get_ns, i.e. CLOCK_MONOTONIC, the
 * clock System.nanoTime reads on Linux. The datapath refreshes last_seen only when it is more than
 * a second old, so an entry lives until it has been idle longer than its protocol's timeout (give
 * or take that second). A full table evicts its least recently used entries (LRU); a packet of an
 * evicted flow is decided again as a new one (and a reply is recognised through the kernel's
 * conntrack), so eviction never drops an allowed connection.
 */
public final class Conntrack {
  public static final Duration TCP_OPEN = Duration.ofHours(6);
  public static final Duration TCP_CLOSING = Duration.ofSeconds(10);
  public static final Duration UDP = Duration.ofSeconds(120);
  public static final Duration OTHER = Duration.ofSeconds(60);
  private static final int BATCH = 4096;

  private Conntrack() {}

  static long timeoutNs(CtKey k, CtValue v) {
    if (k.proto() == 6) {
      return (v.closing() ? TCP_CLOSING : TCP_OPEN).toNanos();
    }
    return (k.proto() == 17 || k.proto() == 132 ? UDP : OTHER).toNanos();
  }

  /** Deletes entries idle past their timeout as of {@code nowNs}; returns how many. */
  public static int gc(BpfMap map, long nowNs) {
    List<byte[]> idle = new ArrayList<>();
    for (BpfMap.Entry e : map.lookupBatch(BATCH)) {
      CtKey k = CtKey.decode(e.key());
      CtValue v = CtValue.decode(e.value());
      if (nowNs - v.lastSeenNs() > timeoutNs(k, v)) {
        idle.add(e.key());
      }
    }
    if (idle.isEmpty()) {
      return 0;
    }
    // A packet may have refreshed an entry since the batch read: read those again, one by one.
    List<byte[]> stillIdle = new ArrayList<>(idle.size());
    for (byte[] raw : idle) {
      byte[] again = map.get(raw).orElse(null);
      if (again != null) {
        CtValue v = CtValue.decode(again);
        if (nowNs - v.lastSeenNs() > timeoutNs(CtKey.decode(raw), v)) {
          stillIdle.add(raw);
        }
      }
    }
    int deleted = 0;
    for (int i = 0; i < stillIdle.size(); i += BATCH) {
      deleted +=
          map.deleteBatchPresent(stillIdle.subList(i, Math.min(stillIdle.size(), i + BATCH)));
    }
    return deleted;
  }

  /** Number of entries (batch read). */
  public static int count(BpfMap map) {
    return map.lookupBatch(BATCH).size();
  }

  /** Deletes every flow of a host interface (a pod removed or moved). */
  static void forgetInterface(Pins pins, int ifindex) {
    Path ct = pins.global(Pins.CONNTRACK);
    if (!Files.exists(ct)) {
      return;
    }
    try (BpfMap m = BpfMap.openPinned(ct)) {
      List<byte[]> gone = new ArrayList<>();
      for (BpfMap.Entry e : m.lookupBatch(BATCH)) {
        if (CtKey.decode(e.key()).ifindex() == ifindex) {
          gone.add(e.key());
        }
      }
      m.deleteBatchPresent(gone);
    }
  }
}
