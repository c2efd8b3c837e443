package dev.netpol.backend.ebpf;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.BackendStatistics;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodDesiredState;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.VerdictEvent;
import dev.netpol.api.VerdictEvents;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.backend.ebpf.internal.Conntrack;
import dev.netpol.backend.ebpf.internal.DatapathObject;
import dev.netpol.backend.ebpf.internal.EventTap;
import dev.netpol.backend.ebpf.internal.FlowLog;
import dev.netpol.backend.ebpf.internal.Pins;
import dev.netpol.backend.ebpf.internal.PodDatapath;
import dev.netpol.backend.ebpf.internal.RootLock;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.abi.Counter;
import dev.netpol.backend.ebpf.internal.abi.CounterKey;
import dev.netpol.backend.ebpf.internal.abi.Event;
import dev.netpol.backend.ebpf.internal.abi.PodInfo;
import dev.netpol.ebpf.sdk.BpfMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
   * @param conntrackEntries capacity of the node-wide conntrack table
   * @param rulesPerPod most rule-trie entries one pod may take (both directions); a policy needing
   *     more is refused with a {@link dev.netpol.api.CapacityExceededException}
   */
  public record Config(
      Path pinRoot,
      int flowLogLinesPerSecond,
      int conntrackGcSeconds,
      int conntrackEntries,
      int rulesPerPod) {
    public Config(Path pinRoot, int flowLogLinesPerSecond, int conntrackGcSeconds) {
      this(
          pinRoot,
          flowLogLinesPerSecond,
          conntrackGcSeconds,
          PodDatapath.Limits.CONNTRACK_DEFAULT,
          PodDatapath.Limits.RULES_PER_POD_DEFAULT);
    }

    public static Config defaults() {
      return new Config(DEFAULT_PIN_ROOT, 50, 60);
    }
  }

  private final PodDatapath pods;
  private final Config config;
  private final RootLock rootLock;
  private final ScheduledExecutorService gc;
  private volatile FlowLog flowLog;
  private volatile Consumer<Event> eventListener;
  private final List<Consumer<VerdictEvent>> subscribers =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public EbpfBackend(Config config) {
    this.config = config;
    this.rootLock = RootLock.acquire(new Pins(config.pinRoot()), RootLock.nodeName());
    this.pods =
        new PodDatapath(
            new Pins(config.pinRoot()),
            DatapathObject.locate(),
            new PodDatapath.Limits(config.conntrackEntries(), config.rulesPerPod()));
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
        "ebpf backend: pin root {}, {} pinned pods adopted", config.pinRoot(), pods.pods().size());
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
    } catch (dev.netpol.api.CapacityExceededException | RuntimeException e) {
      throw failure(pod.key(), e);
    }
  }

  /** Why a pod was not programmed: a capacity error as it is, anything else naming the pod. */
  private static EnforcementException failure(PodKey pod, Exception e) {
    return e instanceof EnforcementException ee
        ? ee
        : new EnforcementException("pod " + pod + ": " + e.getMessage(), e);
  }

  /** All pods' rule tries go into force in one batch ({@link PodDatapath#applyAll}). */
  @Override
  public Map<PodKey, EnforcementException> applyAll(List<PodDesiredState> desired) {
    Map<PodEndpoint, PodPolicy> byPod = new LinkedHashMap<>();
    for (PodDesiredState d : desired) {
      byPod.put(d.endpoint(), d.policy());
    }
    Map<PodKey, EnforcementException> failed = new LinkedHashMap<>();
    try {
      pods.applyAll(byPod).forEach((k, e) -> failed.put(k, failure(k, e)));
      startFlowLog();
    } catch (RuntimeException e) {
      for (PodDesiredState d : desired) {
        failed.putIfAbsent(d.key(), failure(d.key(), e));
      }
    }
    return failed;
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
    for (PodInfo i : pods.records().values()) {
      PodKey k = PodDatapath.keyOf(i);
      out.put(k, new ProgrammedPod(k, i.ifname(), i.addresses(), i.policyDigest()));
    }
    return out;
  }

  /** Healthy if every pinned pod's interface runs exactly its pinned programs (no stale filter). */
  @Override
  public BackendHealth health() {
    try {
      List<String> broken = new ArrayList<>();
      int n = 0;
      for (Map.Entry<Integer, PodInfo> e : pods.records().entrySet()) {
        n++;
        if (!pods.filtersCurrent(e.getKey())) {
          broken.add(PodDatapath.keyOf(e.getValue()).toString());
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
   * Verdict counts from the datapath's per-CPU counters (every decided packet, independent of the
   * event ring buffer), with table usage. A pod's counts go with the pod.
   */
  @Override
  public BackendStatistics statistics() {
    Map<Integer, PodInfo> records = pods.records();
    List<BackendStatistics.VerdictCount> verdicts = new ArrayList<>();
    List<BackendStatistics.TableUsage> tables = new ArrayList<>();
    Pins pins = pods.pins();
    // Established packets counted per pod slot: added to (pod, direction, allowed, established).
    Map<Long, Long> established = new java.util.HashMap<>();
    for (Map.Entry<Integer, PodInfo> r : records.entrySet()) {
      for (int dir = 0; dir < 2; dir++) {
        long n = pods.establishedPackets(r.getValue().slot(), dir);
        if (n > 0) {
          established.put(((long) r.getKey() << 1) | dir, n);
        }
      }
    }
    Path counters = pins.global(Pins.COUNTERS);
    if (Files.exists(counters)) {
      try (BpfMap m = BpfMap.openPinned(counters)) {
        List<BpfMap.Entry> all = m.lookupBatch(1024);
        for (BpfMap.Entry e : all) {
          CounterKey k = CounterKey.decode(e.key());
          PodInfo i = records.get(k.ifindex());
          if (i == null) {
            continue;
          }
          PodKey pod = PodDatapath.keyOf(i);
          boolean allowed = k.verdict() == Abi.VERDICT_ALLOW;
          String policy =
              allowed && k.classId() != 0
                  ? String.join(
                      ",", new java.util.TreeSet<>(pods.originsOf(pod, k.direction(), k.classId())))
                  : "";
          verdicts.add(
              new BackendStatistics.VerdictCount(
                  pod,
                  k.direction() == Abi.DIR_INGRESS ? "ingress" : "egress",
                  allowed,
                  policy,
                  Abi.reason(k.reason()),
                  Counter.sumPerCpu(e.value()).packets()
                      + (allowed && k.classId() == 0 && k.reason() == Abi.REASON_ESTABLISHED
                          ? nz(established.remove(((long) k.ifindex() << 1) | k.direction()))
                          : 0)));
        }
        tables.add(
            new BackendStatistics.TableUsage(Pins.COUNTERS, all.size(), m.info().maxEntries()));
      }
    }
    for (Map.Entry<Long, Long> e : established.entrySet()) {
      PodInfo i = records.get((int) (e.getKey() >> 1));
      verdicts.add(
          new BackendStatistics.VerdictCount(
              PodDatapath.keyOf(i),
              (e.getKey() & 1) == Abi.DIR_INGRESS ? "ingress" : "egress",
              true,
              "",
              Abi.reason(Abi.REASON_ESTABLISHED),
              e.getValue()));
    }
    long flows = 0;
    Path ct = pins.global(Pins.CONNTRACK);
    if (Files.exists(ct)) {
      try (BpfMap m = BpfMap.openPinned(ct)) {
        flows = Conntrack.count(m);
        tables.add(new BackendStatistics.TableUsage(Pins.CONNTRACK, flows, m.info().maxEntries()));
      }
    }
    Path podsPin = pins.global(Pins.PODS);
    if (Files.exists(podsPin)) {
      try (BpfMap m = BpfMap.openPinned(podsPin)) {
        tables.add(
            new BackendStatistics.TableUsage(Pins.PODS, records.size(), m.info().maxEntries()));
      }
    }
    return new BackendStatistics(verdicts, tables, flows);
  }

  private static long nz(Long v) {
    return v == null ? 0 : v;
  }

  /**
   * The datapath's own counters, summed over CPUs: {@code events-lost} (ring buffer full), {@code
   * events-sampled-out} (ring buffer busy: only a sample written), {@code counters-full}, {@code
   * fragments-unknown} (a later fragment whose first was not seen).
   */
  public Map<String, Long> datapathCounters() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    Path p = pods.pins().global(Pins.STATS);
    if (!Files.exists(p)) {
      return out;
    }
    String[] names = {"events-lost", "events-sampled-out", "counters-full", "fragments-unknown"};
    try (BpfMap m = BpfMap.openPinned(p)) {
      for (int slot = 0; slot < names.length; slot++) {
        byte[] v = m.get(Abi.buffer(4).putInt(slot).array()).orElse(new byte[8]);
        long sum = 0;
        var b = Abi.wrap(v);
        for (int off = 0; off + 8 <= v.length; off += 8) {
          sum += b.getLong(off);
        }
        out.put(names[slot], sum);
      }
    }
    return out;
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
              },
              EventTap.open(config.pinRoot()));
    }
  }

  /**
   * Removes the pins of pods whose host interface is gone: the kernel dropped their filters with
   * the interface, so nothing is left to enforce (a deleted pod whose removal the agent missed).
   */
  public int pruneVanishedPods() {
    return pods.pruneVanished().size();
  }

  /** Hand-over done: detaches and unpins every pod, then the node-wide objects. */
  @Override
  public synchronized void release() throws EnforcementException {
    for (PodKey k : pods.pods()) {
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
      if (pods.pods().isEmpty()) {
        removeGlobalPins();
        LOG.info(
            "ebpf backend: no pods left to enforce; node-wide pins under {} removed",
            config.pinRoot());
      }
    } catch (java.io.IOException | RuntimeException e) {
      LOG.warn("ebpf backend: cleanup at close failed: {}", e.getMessage());
    } finally {
      rootLock.close();
    }
  }

  private void removeGlobalPins() throws java.io.IOException {
    List<String> globals = new ArrayList<>(Pins.OBJECT_MAPS);
    globals.addAll(List.of(Pins.PROG_INGRESS, Pins.PROG_EGRESS, Pins.HOLDER));
    for (String global : globals) {
      Files.deleteIfExists(pods.pins().global(global));
    }
    pods.unloaded();
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
