package dev.netpol.backend.iptables;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.BackendStatistics;
import dev.netpol.api.CapacityExceededException;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodDesiredState;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.Direction;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.backend.iptables.internal.Dispatch;
import dev.netpol.backend.iptables.internal.Names;
import dev.netpol.backend.iptables.internal.PodRecord;
import dev.netpol.backend.iptables.internal.PodRules;
import dev.netpol.backend.iptables.internal.RuleCounters;
import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.IpSet;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.SavedRule;
import dev.netpol.netfilter.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NetworkPolicy enforcement with iptables and ipsets (name {@code iptables}), the layout of
 * Calico's and kube-router's iptables dataplanes: one dispatch point per direction ({@code
 * P-TO-POD} from {@code FORWARD} and {@code OUTPUT}, {@code P-FROM-POD} from {@code FORWARD} and
 * {@code INPUT}) jumps by the pod's host interface to the pod's own chains, whose rules match peers
 * in {@code hash:net} sets (one per group of rules with the same ports and policy, named by its
 * content and shared across the node's pods), so a packet costs one set lookup per rule whatever
 * the number of peers. IPv4 and IPv6 alike ({@code iptables}, {@code ip6tables}). Many pods given
 * together ({@link #applyAll}) are written in one transaction per family.
 *
 * <p>Everything lives in the kernel under {@link Config#prefix()}: closing this backend leaves it
 * enforcing, and a new instance adopts it (see the module README).
 */
public final class IptablesBackend implements EnforcementBackend, AutoCloseable {
  public static final String NAME = "iptables";
  public static final String DEFAULT_PREFIX = "NPIPT";
  private static final Logger LOG = LoggerFactory.getLogger(IptablesBackend.class);

  /**
   * @param prefix first part of every chain and set name (1-12 letters, digits or '_')
   * @param timeout deadline of each iptables/ipset command
   */
  public record Config(String prefix, Duration timeout) {
    public static Config defaults() {
      return new Config(DEFAULT_PREFIX, Duration.ofSeconds(30));
    }
  }

  /** A programmed pod: its record and the peer sets its chains reference now, both families. */
  private record PodState(PodRecord record, Set<String> sets) {}

  /** Carries a checked CapacityExceededException out of the unchecked apply path. */
  private static final class CapacityException extends RuntimeException {
    final CapacityExceededException exceeded;

    CapacityException(CapacityExceededException exceeded) {
      super(exceeded.getMessage(), exceeded);
      this.exceeded = exceeded;
    }
  }

  /** One pod of a batch, rendered: what is written for it, and in which families. */
  private record Prepared(
      PodKey key,
      Names names,
      PodRecord record,
      Map<Family, List<Chain>> chains,
      Map<String, IpSet> sets,
      Set<Family> families,
      boolean dispatchChanged) {}

  /** How long a kernel read for health, statistics or programmed() is reused without a write. */
  static final Duration READ_REUSE = Duration.ofSeconds(1);

  private final Config config;
  private final Netfilter nf;

  /** Every programmed pod; replaced whole by each write, so readers take it without the lock. */
  private volatile Map<PodKey, PodState> pods = Map.of();

  /** Our peer sets in the kernel, with their member counts. */
  private final Map<String, Integer> liveSets = new ConcurrentHashMap<>();

  /** Per family, our hooks in the built-in chains known to be missing (inserted at next write). */
  private final Map<Family, List<Netfilter.Jump>> missingHooks = new EnumMap<>(Family.class);

  /** Pods whose chains a health check found missing: their next apply rewrites them whole. */
  private final Set<PodKey> damaged = ConcurrentHashMap.newKeySet();

  /**
   * A write or release failed half way: the next clean-up reads which sets of ours really exist.
   * While false, {@link #liveSets} is exact, and new sets are created as absent.
   */
  private boolean sweep;

  /** Counts writes; a kernel read is reused only while it is unchanged. */
  private final AtomicLong writes = new AtomicLong();

  private volatile Cached<BackendHealth> lastHealth;
  private volatile Cached<BackendStatistics> lastStatistics;
  private volatile Cached<Map<PodKey, ProgrammedPod>> lastProgrammed;

  private record Cached<T>(long writes, long atNanos, T value) {
    boolean fresh(long now) {
      return now - atNanos < READ_REUSE.toNanos();
    }
  }

  public IptablesBackend(Config config) {
    this.config = config;
    this.nf = new Netfilter(config.prefix(), config.timeout());
    adopt();
    LOG.info(
        "iptables backend: prefix {}, {} programmed pods adopted", config.prefix(), pods.size());
  }

  public Config config() {
    return config;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void apply(PodEndpoint pod, PodPolicy policy) throws EnforcementException {
    Map<PodKey, EnforcementException> failed = applyAll(List.of(new PodDesiredState(pod, policy)));
    if (!failed.isEmpty()) {
      throw failed.values().iterator().next();
    }
  }

  /**
   * Programs every pod of the batch with one {@code ipset restore} (the sets none of them had), one
   * {@code iptables-restore} per family that changed (all their chains, the dispatch chains if a
   * pod is new or moved, our hooks if missing), then one {@code ipset restore} destroying the sets
   * no pod uses any more. If the batch's transaction fails, its pods are programmed one by one, so
   * a pod that cannot be programmed fails alone.
   */
  @Override
  public synchronized Map<PodKey, EnforcementException> applyAll(List<PodDesiredState> batch) {
    Map<PodKey, EnforcementException> failed = new LinkedHashMap<>();
    Map<PodKey, Prepared> work = new LinkedHashMap<>();
    for (PodDesiredState p : batch) {
      try {
        Prepared w = prepare(p.endpoint(), p.policy());
        if (w == null) {
          work.remove(p.key());
        } else {
          work.put(p.key(), w);
        }
      } catch (CapacityException e) {
        failed.put(p.key(), e.exceeded); // nothing was written: the pod keeps its previous state
      } catch (RuntimeException e) {
        failed.put(p.key(), new EnforcementException("pod " + p.key() + ": " + e.getMessage(), e));
      }
    }
    boolean unhooked = missingHooks.values().stream().anyMatch(l -> !l.isEmpty());
    if (work.isEmpty() && (pods.isEmpty() || !unhooked)) {
      return failed;
    }
    try {
      write(List.copyOf(work.values())); // with no pod: only the missing hooks (health found them)
    } catch (RuntimeException e) {
      if (work.size() <= 1) {
        for (PodKey k : work.keySet()) {
          failed.put(k, new EnforcementException("pod " + k + ": " + e.getMessage(), e));
        }
        destroyUnused();
        return failed;
      }
      LOG.warn(
          "iptables backend: programming {} pods together failed ({}); one by one now",
          work.size(),
          e.getMessage());
      for (Prepared w : work.values()) {
        try {
          write(List.of(w));
        } catch (RuntimeException one) {
          failed.put(
              w.key(), new EnforcementException("pod " + w.key() + ": " + one.getMessage(), one));
        }
      }
    }
    destroyUnused(); // once per batch: the sets no pod uses any more
    return failed;
  }

  /** Renders a pod's desired state; null if the kernel already holds exactly it. */
  private Prepared prepare(PodEndpoint pod, PodPolicy policy) {
    String ifname = pod.hostInterface();
    if (!ifname.matches("[A-Za-z0-9_.@-]{1,15}")) {
      throw new IllegalArgumentException(
          "host interface '" + ifname + "' is not an interface name");
    }
    Names names = Names.of(config.prefix(), pod.key());
    PodState old = pods.get(pod.key());
    boolean whole = old == null || damaged.contains(pod.key());
    String digest = policy.digest();
    if (!whole
        && old.record().digest().equals(digest)
        && old.record().hostInterface().equals(ifname)
        && old.record().addresses().equals(pod.addresses())) {
      return null;
    }
    Map<Family, List<Chain>> chains = new EnumMap<>(Family.class);
    Map<Family, String> digests = new EnumMap<>(Family.class);
    Map<String, IpSet> sets = new LinkedHashMap<>();
    Set<Family> families = EnumSet.noneOf(Family.class);
    for (Family f : Family.values()) {
      PodRules.Rendered r = PodRules.render(names, policy, f);
      chains.put(f, r.chains());
      digests.put(f, r.digest());
      sets.putAll(r.sets());
      if (whole || !old.record().chains(f).equals(digests.get(f))) {
        families.add(f);
      }
    }
    for (IpSet set : sets.values()) {
      if (set.members().size() > IpSet.MAX_ELEMENTS) {
        throw new CapacityException(
            new CapacityExceededException(
                pod.key(), set.name(), set.members().size(), IpSet.MAX_ELEMENTS));
      }
    }
    PodRecord record =
        new PodRecord(
            pod.key(),
            ifname,
            pod.addresses(),
            digest,
            digests.get(Family.V4),
            digests.get(Family.V6));
    boolean dispatchChanged = whole || !old.record().hostInterface().equals(ifname);
    return new Prepared(pod.key(), names, record, chains, sets, families, dispatchChanged);
  }

  /**
   * Writes a batch: new sets first, then the chains (IPv6 before IPv4, whose transaction carries
   * the identity records, so a record never names chains that are not written), then the sets
   * nobody uses are destroyed. A packet sees a pod's old chains or its new ones, never a mix.
   */
  private void write(List<Prepared> work) {
    Map<String, IpSet> fresh = new LinkedHashMap<>();
    for (Prepared w : work) {
      for (IpSet set : w.sets().values()) {
        if (!liveSets.containsKey(set.name())) {
          fresh.put(set.name(), set);
        }
      }
    }
    if (!fresh.isEmpty()) {
      try {
        if (sweep) { // a failed write may have left some of them: created or emptied, then filled
          nf.applySets(List.copyOf(fresh.values()), List.of(), List.of());
        } else { // liveSets is exact: none of them exists, so no -exist and no flush
          nf.createAbsent(List.copyOf(fresh.values()));
        }
      } catch (RuntimeException e) {
        // ipset restore stops at the failing line: what it created before is swept at the end
        // of the batch (a set that was there under the name is not ours to trust or reuse)
        sweep = true;
        throw e;
      }
      fresh.values().forEach(set -> liveSets.put(set.name(), set.members().size()));
    }
    Map<PodKey, PodState> next = new TreeMap<>(pods);
    boolean dispatchChanged = false;
    for (Prepared w : work) {
      next.put(w.key(), new PodState(w.record(), Set.copyOf(w.sets().keySet())));
      dispatchChanged |= w.dispatchChanged();
    }
    writes.incrementAndGet();
    boolean sweepBefore = sweep;
    sweep = true; // until both families are written: a failure may leave new sets unreferenced
    try {
      for (Family f : List.of(Family.V6, Family.V4)) {
        List<Chain> write = new ArrayList<>();
        for (Prepared w : work) {
          if (w.families().contains(f)) {
            write.addAll(w.chains().get(f));
          }
          if (f == Family.V4) {
            write.add(w.record().chain(w.names()));
          }
        }
        List<Netfilter.Jump> hooks = missingHooks.getOrDefault(f, List.of());
        if (dispatchChanged || !hooks.isEmpty()) {
          write.addAll(dispatch(next)); // a hook's target exists before the hook
        }
        if (!write.isEmpty()) {
          nf.apply(new Netfilter.Ruleset(f, write, Set.of(), hooks, List.of()));
          missingHooks.put(f, List.of());
        }
      }
    } finally {
      writes.incrementAndGet();
    }
    pods = Collections.unmodifiableMap(next);
    sweep = sweepBefore;
    for (Prepared w : work) {
      damaged.remove(w.key());
      LOG.info(
          "pod {}: chains {} and {} programmed on {} ({}; {} peer sets, {} new)",
          w.key(),
          w.names().podChain(Direction.INGRESS),
          w.names().podChain(Direction.EGRESS),
          w.record().hostInterface(),
          w.families().isEmpty()
              ? "record only"
              : w.families().stream().map(Family::tool).collect(Collectors.joining(", ")),
          w.sets().size(),
          w.sets().keySet().stream().filter(fresh::containsKey).count());
    }
    if (work.size() > 1) {
      LOG.info(
          "iptables backend: {} pods programmed in one transaction per family, {} new peer sets",
          work.size(),
          fresh.size());
    }
  }

  @Override
  public synchronized void remove(PodKey pod) throws EnforcementException {
    PodState old = pods.get(pod);
    if (old == null) {
      return;
    }
    try {
      Map<PodKey, PodState> next = new TreeMap<>(pods);
      next.remove(pod);
      Names names = Names.of(config.prefix(), pod);
      writes.incrementAndGet();
      try {
        for (Family f : Family.values()) {
          Set<String> delete = new HashSet<>();
          delete.add(names.podChain(Direction.INGRESS));
          delete.add(names.podChain(Direction.EGRESS));
          if (f == Family.V4) {
            delete.add(names.infoChain());
          }
          nf.apply(new Netfilter.Ruleset(f, dispatch(next), delete, List.of(), List.of()));
        }
      } finally {
        writes.incrementAndGet();
      }
      pods = Collections.unmodifiableMap(next);
      damaged.remove(pod);
      destroyUnused();
      LOG.info("pod {}: chains removed, and the peer sets no other pod uses", pod);
    } catch (RuntimeException e) {
      throw new EnforcementException("pod " + pod + ": " + e.getMessage(), e);
    }
  }

  /** Read back from the kernel: the identity records of our {@code P-M-h} chains. */
  @Override
  public Map<PodKey, ProgrammedPod> programmed() {
    long w = writes.get();
    Cached<Map<PodKey, ProgrammedPod>> c = lastProgrammed;
    if (c != null && c.writes() == w && w % 2 == 0 && c.fresh(System.nanoTime())) {
      return c.value();
    }
    Map<PodKey, ProgrammedPod> out = new TreeMap<>();
    for (PodRecord r : records(nf.save(Family.V4)).values()) {
      out.put(r.key(), new ProgrammedPod(r.key(), r.hostInterface(), r.addresses(), r.digest()));
    }
    Map<PodKey, ProgrammedPod> value = Collections.unmodifiableMap(out);
    lastProgrammed = new Cached<>(w, System.nanoTime(), value);
    return value;
  }

  /**
   * Healthy if the built-in chains jump to our dispatch and every pod's chains are dispatched. Runs
   * beside writes (it never holds the writers' lock); a check that overlapped a write is repeated.
   * What it finds missing is rewritten whole by the next apply of that pod.
   */
  @Override
  public BackendHealth health() {
    for (int attempt = 0; ; attempt++) {
      long w = writes.get();
      Cached<BackendHealth> c = lastHealth;
      if (c != null && c.writes() == w && w % 2 == 0 && c.fresh(System.nanoTime())) {
        return c.value();
      }
      BackendHealth h;
      try {
        h = check(w);
      } catch (RuntimeException e) {
        return BackendHealth.failing("iptables backend unusable: " + e.getMessage());
      }
      if (h != null) {
        lastHealth = new Cached<>(w, System.nanoTime(), h);
        return h;
      }
      if (attempt >= 5) { // writes kept overlapping the check: the last complete answer
        return c != null
            ? c.value()
            : BackendHealth.ok("busy writing; " + pods.size() + " pods programmed");
      }
      synchronized (this) {
        // a write overlapped: writers hold this lock for their whole transaction, so this waits
        // for it to end before checking again
      }
    }
  }

  /** One health check against the kernel; null if a write overlapped it. */
  private BackendHealth check(long w) {
    if (w % 2 != 0) {
      return null;
    }
    Map<PodKey, PodState> snapshot = pods;
    List<String> problems = new ArrayList<>();
    Set<PodKey> broken = new HashSet<>();
    Map<Family, List<Netfilter.Jump>> unhooked = new EnumMap<>(Family.class);
    for (Family f : Family.values()) {
      Netfilter.Saved saved = nf.save(f);
      List<Netfilter.Jump> missing = saved.missing(wantedJumps());
      unhooked.put(f, missing);
      if (!snapshot.isEmpty() && !missing.isEmpty()) {
        problems.add(f.tool() + ": built-in chains do not jump to " + config.prefix());
      }
      Set<String> dispatched = new HashSet<>();
      for (String d : List.of(Names.toPod(config.prefix()), Names.fromPod(config.prefix()))) {
        for (SavedRule r : saved.chains().getOrDefault(d, List.of())) {
          dispatched.add(r.target());
        }
      }
      for (PodKey k : snapshot.keySet()) {
        Names n = Names.of(config.prefix(), k);
        for (Direction d : Direction.values()) {
          if (!saved.chains().containsKey(n.podChain(d)) || !dispatched.contains(n.podChain(d))) {
            problems.add(f.tool() + ": pod " + k + " " + d.name().toLowerCase() + " not enforced");
            broken.add(k);
          }
        }
      }
    }
    if (writes.get() != w) {
      return null;
    }
    if (!broken.isEmpty() || unhooked.values().stream().anyMatch(l -> !l.isEmpty())) {
      synchronized (this) {
        if (writes.get() == w) {
          damaged.addAll(broken);
          unhooked.forEach(
              (f, l) -> {
                if (!l.isEmpty()) {
                  missingHooks.put(f, l);
                }
              });
        }
      }
    }
    return problems.isEmpty()
        ? BackendHealth.ok(
            snapshot.size() + " pods enforced by iptables chains " + config.prefix() + "-*")
        : BackendHealth.failing(String.join("; ", problems));
  }

  /**
   * Rule counters of every pod chain (both families), set sizes, the kernel's conntrack count.
   * Reused for a second (a scrape every few milliseconds must not keep the kernel busy saving).
   */
  @Override
  public BackendStatistics statistics() {
    Cached<BackendStatistics> c = lastStatistics;
    if (c != null && c.fresh(System.nanoTime())) {
      return c.value();
    }
    List<Netfilter.Saved> saved = List.of(nf.save(Family.V4), nf.save(Family.V6));
    List<BackendStatistics.VerdictCount> verdicts =
        RuleCounters.verdicts(config.prefix(), pods.keySet(), saved);
    List<BackendStatistics.TableUsage> tables = new ArrayList<>();
    new TreeMap<>(liveSets)
        .forEach(
            (name, size) ->
                tables.add(new BackendStatistics.TableUsage(name, size, IpSet.MAX_ELEMENTS)));
    BackendStatistics st = new BackendStatistics(verdicts, tables, conntrackCount());
    lastStatistics = new Cached<>(writes.get(), System.nanoTime(), st);
    return st;
  }

  /** Hand-over done: removes every pod, the dispatch chains, our jumps and any set of ours. */
  @Override
  public synchronized void release() throws EnforcementException {
    writes.incrementAndGet();
    try {
      for (Family f : Family.values()) {
        nf.removeAll(f, Table.FILTER);
        missingHooks.put(f, wantedJumps());
      }
      pods = Map.of();
      damaged.clear();
      nf.removeAllSets();
      liveSets.clear();
    } catch (RuntimeException e) {
      sweep = true; // some sets may be gone: read them back before trusting liveSets again
      throw new EnforcementException("releasing " + config.prefix() + "-*: " + e.getMessage(), e);
    } finally {
      writes.incrementAndGet();
    }
    LOG.info("iptables backend: released; no chain or set {}-* is left", config.prefix());
  }

  /** Removes the chains of pods whose host interface is gone (a removal the agent missed). */
  public synchronized int pruneVanishedPods() {
    int n = 0;
    for (PodState s : List.copyOf(pods.values())) {
      String ifname = s.record().hostInterface();
      if (!Files.exists(Path.of("/sys/class/net", ifname))) {
        try {
          remove(s.record().key());
          n++;
          LOG.info(
              "pod {}: host interface {} is gone; its chains are removed",
              s.record().key(),
              ifname);
        } catch (EnforcementException e) {
          LOG.warn(
              "pod {}: removing after its interface went: {}", s.record().key(), e.getMessage());
        }
      }
    }
    return n;
  }

  /**
   * Stops nothing in the kernel: chains and sets keep enforcing. Vanished pods are pruned; with no
   * pod record left in the kernel, the dispatch chains and our jumps go too (as eBPF's node-wide
   * pins do).
   */
  @Override
  public synchronized void close() {
    try {
      pruneVanishedPods();
      if (pods.isEmpty() && records(nf.save(Family.V4)).isEmpty()) {
        release();
      }
    } catch (RuntimeException | EnforcementException e) {
      LOG.warn("iptables backend: cleanup at close failed: {}", e.getMessage());
    }
  }

  // ---- adoption -------------------------------------------------------------------------------

  private void adopt() {
    Netfilter.Saved v4 = nf.save(Family.V4);
    Netfilter.Saved v6 = nf.save(Family.V6);
    nf.sets().forEach((name, set) -> liveSets.put(name, set.members().size()));
    Map<PodKey, PodState> adopted = new TreeMap<>();
    for (PodRecord r : records(v4).values()) {
      Names names = Names.of(config.prefix(), r.key());
      List<SavedRule> rules = new ArrayList<>();
      for (Netfilter.Saved saved : List.of(v4, v6)) {
        for (Direction d : Direction.values()) {
          rules.addAll(saved.chains().getOrDefault(names.podChain(d), List.of()));
        }
      }
      adopted.put(r.key(), new PodState(r, Names.setsMatched(rules)));
    }
    pods = Collections.unmodifiableMap(adopted);
    // leftovers of an interrupted run: chains no pod record names, sets no pod chain references
    Set<String> keepChains =
        new HashSet<>(List.of(Names.toPod(config.prefix()), Names.fromPod(config.prefix())));
    for (PodKey k : adopted.keySet()) {
      Names n = Names.of(config.prefix(), k);
      keepChains.addAll(
          List.of(n.infoChain(), n.podChain(Direction.INGRESS), n.podChain(Direction.EGRESS)));
    }
    for (Family f : Family.values()) {
      Netfilter.Saved saved = f == Family.V4 ? v4 : v6;
      missingHooks.put(f, saved.missing(wantedJumps()));
      Set<String> orphans = new HashSet<>(saved.chains().keySet());
      orphans.removeAll(keepChains);
      if (!orphans.isEmpty()) {
        LOG.info("iptables backend: removing {} leftover chains {}", f.tool(), orphans);
        nf.apply(new Netfilter.Ruleset(f, dispatch(adopted), orphans, List.of(), List.of()));
      }
    }
    destroyUnused();
    pruneVanishedPods();
  }

  private Map<String, PodRecord> records(Netfilter.Saved v4) {
    return Dispatch.records(config.prefix(), v4);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private List<Chain> dispatch(Map<PodKey, PodState> all) {
    return Dispatch.chains(config.prefix(), all.values().stream().map(PodState::record).toList());
  }

  private List<Netfilter.Jump> wantedJumps() {
    return Dispatch.hooks(config.prefix());
  }

  /**
   * Destroys our sets that no programmed pod references (the kernel refuses one in use); after a
   * failed write, every set of ours in the kernel is considered, not only the ones we know.
   */
  private void destroyUnused() {
    if (sweep) {
      try {
        Map<String, IpSet> now = nf.sets();
        liveSets.keySet().retainAll(now.keySet());
        now.forEach((name, set) -> liveSets.putIfAbsent(name, set.members().size()));
        sweep = false;
      } catch (RuntimeException e) {
        LOG.warn("iptables backend: cannot read our sets: {}", e.getMessage());
        return;
      }
    }
    Set<String> used = new HashSet<>();
    pods.values().forEach(p -> used.addAll(p.sets()));
    Set<String> unused = new TreeSet<>(liveSets.keySet());
    unused.removeAll(used);
    destroyQuietly(unused);
  }

  private void destroyQuietly(Set<String> sets) {
    if (sets.isEmpty()) {
      return;
    }
    try {
      nf.applySets(List.of(), List.of(), List.copyOf(sets));
      sets.forEach(liveSets::remove);
    } catch (RuntimeException e) {
      // ipset restore stops at the first failure (a set still in use): the rest one by one
      liveSets.keySet().retainAll(nf.sets().keySet());
      for (String name : sets) {
        if (liveSets.containsKey(name)) {
          try {
            nf.applySets(List.of(), List.of(), List.of(name));
            liveSets.remove(name);
          } catch (RuntimeException one) {
            LOG.warn("iptables backend: set {} stays: {}", name, one.getMessage());
          }
        }
      }
    }
  }

  private static long conntrackCount() {
    try {
      return Long.parseLong(
          Files.readString(Path.of("/proc/sys/net/netfilter/nf_conntrack_count")).strip());
    } catch (java.io.IOException | NumberFormatException e) {
      return 0;
    }
  }
}
