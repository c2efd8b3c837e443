package dev.netpol.backend.ebpf.internal;

import dev.netpol.api.PodKey;
import dev.netpol.api.VerdictEvent;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.abi.Addresses;
import dev.netpol.backend.ebpf.internal.abi.Event;
import dev.netpol.backend.ebpf.internal.abi.PodInfo;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.RingBufferReader;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads verdict events from the node-wide ring buffer: counts every one, and logs one line per
 * event naming the pod, at most {@code linesPerSecond} lines a second (the rest are counted as
 * suppressed). A ring buffer has one consumer: while the agent reads it, `netpol ebpf events` would
 * steal records, so the CLI is for when the agent is down.
 */
public final class FlowLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.netpol.flow");

  private final BpfMap events;
  private final PodDatapath pods;
  private final int linesPerSecond;
  private final Map<Integer, PodKey> byIfindex = new ConcurrentHashMap<>();
  private final AtomicLong allowed = new AtomicLong();
  private final AtomicLong denied = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();
  private final Consumer<Event> listener;
  private final RingBufferReader reader;
  private long windowStart;
  private int windowLines;

  public FlowLog(BpfMap events, PodDatapath pods, int linesPerSecond, Consumer<Event> listener) {
    this.events = events;
    this.pods = pods;
    this.linesPerSecond = linesPerSecond;
    this.listener = listener;
    this.reader = RingBufferReader.start(events, Event.CODEC, this::onEvent);
  }

  public long allowed() {
    return allowed.get();
  }

  public long denied() {
    return denied.get();
  }

  public long suppressed() {
    return suppressed.get();
  }

  private void onEvent(Event e) {
    (e.allowed() ? allowed : denied).incrementAndGet();
    if (listener != null) {
      listener.accept(e);
    }
    long now = System.nanoTime();
    if (now - windowStart > 1_000_000_000L) {
      windowStart = now;
      windowLines = 0;
    }
    if (++windowLines > linesPerSecond) {
      suppressed.incrementAndGet();
      return;
    }
    PodKey pod = podOf(e.ifindex());
    Set<String> from = pod == null ? Set.of() : pods.originsOf(pod, e.direction(), e.classId());
    LOG.info(
        "pod {}: {}{}",
        pod == null ? "?/if" + e.ifindex() : pod,
        e.describe(),
        from.isEmpty() ? "" : " policy=" + String.join(",", from));
  }

  /** The event as the API reports it: the pod of its interface and the policies of its class. */
  public VerdictEvent verdictOf(Event e) {
    PodKey pod = podOf(e.ifindex());
    Set<String> from = pod == null ? Set.of() : pods.originsOf(pod, e.direction(), e.classId());
    int family = e.family() == 6 ? 6 : 4;
    return new VerdictEvent(
        Instant.now(),
        pod,
        dir(e.direction()),
        e.allowed(),
        String.join(",", new TreeSet<>(from)),
        Abi.reason(e.reason()),
        e.proto(),
        Addresses.of(family, e.saddr()),
        e.sport(),
        Addresses.of(family, e.daddr()),
        e.dport());
  }

  private PodKey podOf(int ifindex) {
    PodKey k = byIfindex.get(ifindex);
    if (k != null) {
      PodInfo info = pods.readInfo(k); // interface indexes are reused: check the cached answer
      if (info == null || info.ifindex() != ifindex) {
        byIfindex.remove(ifindex);
        k = null;
      }
    }
    if (k == null) {
      for (PodKey p : pods.pins().pods()) {
        PodInfo info = pods.readInfo(p);
        if (info != null) {
          byIfindex.put(info.ifindex(), p);
        }
      }
      k = byIfindex.get(ifindex);
    }
    return k;
  }

  @Override
  public void close() {
    reader.close();
    events.close();
  }

  static String dir(int d) {
    return d == Abi.DIR_INGRESS ? "ingress" : "egress";
  }
}
