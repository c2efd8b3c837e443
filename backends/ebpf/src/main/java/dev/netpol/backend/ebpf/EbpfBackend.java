package dev.netpol.backend.ebpf;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.VerdictEvent;
import dev.netpol.api.VerdictEvents;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.backend.ebpf.internal.Conntrack;
import dev.netpol.backend.ebpf.internal.DatapathObject;
import dev.netpol.backend.ebpf.internal.FlowLog;
import dev.netpol.backend.ebpf.internal.Pins;
import dev.netpol.backend.ebpf.internal.PodDatapath;
import dev.netpol.backend.ebpf.internal.abi.Event;
import dev.netpol.backend.ebpf.internal.abi.PodInfo;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.Interfaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NetworkPolicy enforcement with tc eBPF programs on each pod's host veth (name {@code ebpf}).
 *
 * <p>Everything lives pinned under {@link Config#pinRoot()}: closing this backend (or killing the
 * agent) leaves enforcement running, and a new instance adopts what is pinned without touching it
 * until the next {@link #apply}. See the module README for the kernel layout.
 */
public final class EbpfBackend implements EnforcementBackend, VerdictEvents, AutoCloseable {
  public static final String NAME = "ebpf";
  public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/netpol");
  private static final Logger LOG = LoggerFactory.getLogger(EbpfBackend.class);

  /**
   * @param pinRoot bpffs directory owning every netpol object
   * @param flowLogLinesPerSecond rate limit of the flow log (0 disables the event reader)
   * @param conntrackGcSeconds period of conntrack garbage collection (0 disables it)
   */
  public record Config(Path pinRoot, int flowLogLinesPerSecond, int conntrackGcSeconds) {
    public static Config defaults() {
      return new Config(DEFAULT_PIN_ROOT, 50, 60);
    }
  }

  private final PodDatapath pods;
  private final Config config;
  private final ScheduledExecutorService gc;
  private volatile FlowLog flowLog;
  private volatile Consumer<Event> eventListener;
  private final List<Consumer<VerdictEvent>> subscribers =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public EbpfBackend(Config config) {
    this.config = config;
    this.pods = new PodDatapath(new Pins(config.pinRoot()), DatapathObject.locate());
    this.gc =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "netpol-conntrack-gc");
              t.setDaemon(true);
              return t;
            });
    if (config.conntrackGcSeconds() > 0) {
      gc.scheduleWithFixedDelay(
          () -> {
            pruneVanishedPods();
            collectConntrack();
          },
          config.conntrackGcSeconds(),
          config.conntrackGcSeconds(),
          TimeUnit.SECONDS);
    }
    startFlowLog();
    LOG.info(
        "ebpf backend: pin root {}, {} pinned pods adopted",
        config.pinRoot(),
        pods.pins().pods().size());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void apply(PodEndpoint pod, PodPolicy policy) throws EnforcementException {
    try {
      pods.apply(pod, policy);
      startFlowLog();
    } catch (RuntimeException e) {
      throw new EnforcementException("pod " + pod.key() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void remove(PodKey pod) throws EnforcementException {
    try {
      pods.remove(pod);
    } catch (RuntimeException e) {
      throw new EnforcementException("pod " + pod + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<PodKey, ProgrammedPod> programmed() {
    Map<PodKey, ProgrammedPod> out = new TreeMap<>();
    for (PodKey k : pods.pins().pods()) {
      PodInfo i = pods.readInfo(k);
      if (i != null) {
        out.put(k, new ProgrammedPod(k, i.ifname(), i.addresses(), i.policyDigest()));
      }
    }
    return out;
  }

  /** Healthy if every pinned pod's interface runs exactly its pinned programs (no stale filter). */
  @Override
  public BackendHealth health() {
    try {
      List<String> broken = new ArrayList<>();
      int n = 0;
      for (PodKey k : pods.pins().pods()) {
        PodInfo i = pods.readInfo(k);
        n++;
        if (i == null || !pods.filtersCurrent(pods.pins().podDir(k), i.ifindex())) {
          broken.add(k.toString());
        }
      }
      return broken.isEmpty()
          ? BackendHealth.ok(n + " pods enforced from " + config.pinRoot())
          : BackendHealth.failing("filters do not run the pinned programs for " + broken);
    } catch (RuntimeException | LinkageError e) {
      return BackendHealth.failing("ebpf backend unusable: " + e.getMessage());
    }
  }

  /**
   * The policy generation pinned for the pod (conntrack entries older than it get re-checked), or
   * -1.
   */
  public int programmedGeneration(PodKey pod) {
    PodInfo i = pods.readInfo(pod);
    return i == null ? -1 : i.generation();
  }

  /**
   * Receives every decoded verdict event (tests). Not public: {@code Event} is a private type of
   * this bundle, and an exported signature must not name one.
   */
  void onEvent(Consumer<Event> listener) {
    this.eventListener = listener;
  }

  /** Verdict events for flow logs (the console's); they flow while the event reader runs. */
  @Override
  public AutoCloseable subscribe(Consumer<VerdictEvent> listener) {
    subscribers.add(listener);
    return () -> subscribers.remove(listener);
  }

  private void publish(Event e) {
    FlowLog log = flowLog;
    if (subscribers.isEmpty() || log == null) {
      return;
    }
    VerdictEvent v = log.verdictOf(e);
    for (Consumer<VerdictEvent> s : subscribers) {
      try {
        s.accept(v);
      } catch (RuntimeException ex) {
        LOG.debug("verdict subscriber failed: {}", ex.toString());
      }
    }
  }

  public long flowsAllowed() {
    return flowLog == null ? 0 : flowLog.allowed();
  }

  public long flowsDenied() {
    return flowLog == null ? 0 : flowLog.denied();
  }

  /** Runs one conntrack GC pass now; returns the number of entries removed. */
  public int collectConntrack() {
    Path ct = pods.pins().global(Pins.CONNTRACK);
    if (!Files.exists(ct)) {
      return 0;
    }
    try (BpfMap m = BpfMap.openPinned(ct)) {
      int n = Conntrack.gc(m, System.nanoTime());
      if (n > 0) {
        LOG.debug("conntrack gc: {} idle entries removed", n);
      }
      return n;
    } catch (RuntimeException e) {
      LOG.warn("conntrack gc failed: {}", e.getMessage());
      return 0;
    }
  }

  private synchronized void startFlowLog() {
    Path ev = pods.pins().global(Pins.EVENTS);
    if (flowLog == null && config.flowLogLinesPerSecond() > 0 && Files.exists(ev)) {
      flowLog =
          new FlowLog(
              BpfMap.openPinned(ev),
              pods,
              config.flowLogLinesPerSecond(),
              e -> {
                Consumer<Event> l = eventListener;
                if (l != null) {
                  l.accept(e);
                }
                publish(e);
              });
    }
  }

  /**
   * Removes the pins of pods whose host interface is gone: the kernel dropped their filters with
   * the interface, so nothing is left to enforce (a deleted pod whose removal the agent missed).
   */
  public synchronized int pruneVanishedPods() {
    int n = 0;
    for (PodKey k : pods.pins().pods()) {
      PodInfo i = pods.readInfo(k);
      if (i != null && Interfaces.index(i.ifname()).orElse(0) != i.ifindex()) {
        pods.remove(k);
        n++;
        LOG.info("pod {}: host interface {} is gone; its pins are removed", k, i.ifname());
      }
    }
    return n;
  }

  /** Hand-over done: detaches and unpins every pod, then the node-wide objects. */
  @Override
  public synchronized void release() throws EnforcementException {
    for (PodKey k : pods.pins().pods()) {
      remove(k);
    }
    if (flowLog != null) {
      flowLog.close();
      flowLog = null;
    }
    try {
      removeGlobalPins();
    } catch (java.io.IOException | RuntimeException e) {
      throw new EnforcementException("releasing " + config.pinRoot() + ": " + e.getMessage(), e);
    }
    LOG.info("ebpf backend: released; nothing under {} enforces any more", config.pinRoot());
  }

  /**
   * Stops userspace work only; pinned programs, maps and filters keep enforcing. Pods whose
   * interface is gone are pruned first; with no pod left, the node-wide pins go too.
   */
  @Override
  public synchronized void close() {
    gc.shutdownNow();
    if (flowLog != null) {
      flowLog.close();
      flowLog = null;
    }
    try {
      pruneVanishedPods();
      if (pods.pins().pods().isEmpty()) {
        removeGlobalPins();
        LOG.info(
            "ebpf backend: no pods left to enforce; node-wide pins under {} removed",
            config.pinRoot());
      }
    } catch (java.io.IOException | RuntimeException e) {
      LOG.warn("ebpf backend: cleanup at close failed: {}", e.getMessage());
    }
  }

  private void removeGlobalPins() throws java.io.IOException {
    for (String global : List.of(Pins.CONNTRACK, Pins.EVENTS)) {
      Files.deleteIfExists(pods.pins().global(global));
    }
    for (Path dir :
        List.of(
            config.pinRoot().resolve("global"),
            config.pinRoot().resolve("pods"),
            config.pinRoot())) {
      deleteEmptyTree(dir);
    }
  }

  /** Deletes a directory tree that holds only directories (never a pin). */
  private static void deleteEmptyTree(Path dir) throws java.io.IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (Files.isDirectory(p)) {
          try {
            Files.delete(p);
          } catch (java.nio.file.DirectoryNotEmptyException ignored) {
            // still holds something: keep it
          }
        }
      }
    }
  }
}
