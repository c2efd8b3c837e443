package dev.netpol.backend.ebpf.internal;

import dev.netpol.api.CapacityExceededException;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.Direction;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.abi.CounterKey;
import dev.netpol.backend.ebpf.internal.abi.NodeInfo;
import dev.netpol.backend.ebpf.internal.abi.PodInfo;
import dev.netpol.backend.ebpf.internal.abi.RuleKey;
import dev.netpol.backend.ebpf.internal.abi.RuleValue;
import dev.netpol.backend.ebpf.internal.rules.RuleCompiler;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.BpfObject;
import dev.netpol.ebpf.sdk.BpfProgram;
import dev.netpol.ebpf.sdk.Interfaces;
import dev.netpol.ebpf.sdk.MapType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Programs the node's datapath. The programs are loaded (and verified) once per node and pinned; a
 * pod is two map entries keyed by its host interface index: its rule trie in np_policy (both
 * directions, swapped in with one update, so a packet sees the whole old or the whole new policy)
 * and its identity record in np_pods, written after the trie so its digest never names rules not in
 * force. Order for a new pod: fill the trie (userspace only: a crash here leaves nothing), put it
 * in np_policy, write the record, attach the tc filters; the first packet already sees the rules. A
 * changed policy bumps the generation, so established flows are re-checked.
 */
public final class PodDatapath {
  private static final Logger LOG = LoggerFactory.getLogger(PodDatapath.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NO_PREALLOC = 1; // BPF_F_NO_PREALLOC, required for LPM tries

  /**
   * @param conntrackEntries capacity of the node-wide conntrack table (set when it is created)
   * @param rulesPerPod most trie entries one pod's policy may take (both directions)
   */
  public record Limits(int conntrackEntries, int rulesPerPod) {
    public static final int CONNTRACK_DEFAULT = 512 * 1024;
    public static final int RULES_PER_POD_DEFAULT = 1_000_000;

    public Limits {
      if (conntrackEntries < 1024) {
        throw new IllegalArgumentException(
            "conntrackEntries: " + conntrackEntries + " is below the minimum of 1024");
      }
      if (rulesPerPod < 16 || rulesPerPod > RuleCompiler.MAX_ENTRIES) {
        throw new IllegalArgumentException(
            "rulesPerPod: " + rulesPerPod + " is outside 16.." + RuleCompiler.MAX_ENTRIES);
      }
    }

    public static Limits defaults() {
      return new Limits(CONNTRACK_DEFAULT, RULES_PER_POD_DEFAULT);
    }
  }

  private final Pins pins;
  private final DatapathObject object;
  private final Limits limits;
  private final Map<PodKey, Map<Direction, Map<Integer, Set<String>>>> origins =
      new ConcurrentHashMap<>();
  private volatile int ingressProgId; // of the pinned programs, 0 until known
  private volatile int egressProgId;

  public PodDatapath(Pins pins, DatapathObject object, Limits limits) {
    this.pins = pins;
    this.object = object;
    this.limits = limits;
  }

  public PodDatapath(Pins pins, DatapathObject object) {
    this(pins, object, Limits.defaults());
  }

  public Pins pins() {
    return pins;
  }

  public Limits limits() {
    return limits;
  }

  /** Returns false if the pod was already exactly in this state (nothing written). */
  public synchronized boolean apply(PodEndpoint pod, PodPolicy policy)
      throws CapacityExceededException {
    Pending p = prepare(pod, policy, records(), new HashSet<>());
    if (p == null) {
      return false;
    }
    RuntimeException failed = commit(List.of(p)).get(p.key());
    if (failed != null) {
      throw failed;
    }
    return true;
  }

  /**
   * Programs several pods at once, as {@link #apply} each: their rule tries go into np_policy in
   * one batch update. Every update of a hash of maps from a syscall waits for an RCU grace period
   * (about 9–17 ms here), one per batch instead of one per pod: a cold node's 110 pods took 1.5–2 s
   * of waiting. Returns the pods that were not programmed, with why; the others are in force.
   */
  public synchronized Map<PodKey, Exception> applyAll(Map<PodEndpoint, PodPolicy> pods) {
    Map<PodKey, Exception> failed = new LinkedHashMap<>();
    List<Pending> pending = new ArrayList<>();
    Map<Integer, PodInfo> records = records();
    Set<Integer> slotsTaken = new HashSet<>();
    try {
      for (Map.Entry<PodEndpoint, PodPolicy> e : pods.entrySet()) {
        try {
          Pending p = prepare(e.getKey(), e.getValue(), records, slotsTaken);
          if (p != null) {
            pending.add(p);
          }
        } catch (CapacityExceededException | RuntimeException ex) {
          failed.put(e.getKey().key(), ex);
        }
      }
    } catch (RuntimeException ex) {
      pending.forEach(Pending::close);
      throw ex;
    }
    failed.putAll(commit(pending));
    return failed;
  }

  /** A pod's new state: compiled, its rule trie filled (userspace only), not yet in force. */
  private record Pending(
      PodEndpoint pod,
      int ifindex,
      BpfMap trie,
      PodInfo record,
      Map<Direction, Map<Integer, Set<String>>> origins,
      int entries,
      boolean loaded)
      implements AutoCloseable {
    PodKey key() {
      return pod.key();
    }

    @Override
    public void close() {
      trie.close();
    }
  }

  /**
   * Compiles {@code pod}'s policy into a new rule trie; null if the pod is already exactly in this
   * state. {@code records}: np_pods as read before this batch; {@code slotsTaken}: counter slots
   * given to earlier pods of the batch (their records are not written yet).
   */
  private Pending prepare(
      PodEndpoint pod, PodPolicy policy, Map<Integer, PodInfo> records, Set<Integer> slotsTaken)
      throws CapacityExceededException {
    PodKey key = pod.key();
    int ifindex = Interfaces.index(pod.hostInterface()).orElse(0);
    if (ifindex <= 0) {
      throw new IllegalArgumentException(
          "pod " + key + ": host interface " + pod.hostInterface() + " not found");
    }
    boolean loaded = ensureNode();
    PodInfo old = records.get(ifindex);
    if (old != null && !keyOf(old).equals(key)) {
      LOG.info(
          "pod {}: interface {} (index {}) was {}'s; its record is replaced",
          key,
          pod.hostInterface(),
          ifindex,
          keyOf(old));
      old = null;
    }
    for (Map.Entry<Integer, PodInfo> e : List.copyOf(records.entrySet())) {
      if (e.getKey() != ifindex && keyOf(e.getValue()).equals(key)) {
        LOG.info("pod {}: moved from interface index {} to {}", key, e.getKey(), ifindex);
        forget(e.getKey());
        records.remove(e.getKey());
      }
    }
    String digest = policy.digest();
    if (old != null
        && old.policyDigest().equals(digest)
        && hasTrie(ifindex)
        && filtersCurrent(ifindex)) {
      // Already enforced (e.g. adopted after a restart): write nothing. Class ids are a pure
      // function of the policy, so compiling again only restores the names for flow logs.
      final int gen = old.generation();
      origins.computeIfAbsent(key, k -> originsOf(policy, gen, k));
      return null;
    }
    int generation = old == null ? RANDOM.nextInt() | 1 : old.generation() + 1;
    List<Map.Entry<RuleKey, RuleValue>> entries = new ArrayList<>();
    Map<Direction, Map<Integer, Set<String>>> podOrigins = new ConcurrentHashMap<>();
    for (Direction d : Direction.values()) {
      RuleCompiler.Compiled c =
          RuleCompiler.compile(
              policy.direction(d), dirCode(d), generation, "pod " + key + " " + name(d));
      entries.addAll(c.entries());
      podOrigins.put(d, c.classOrigins());
    }
    if (entries.size() > limits.rulesPerPod()) {
      throw new CapacityExceededException(key, "rules", entries.size(), limits.rulesPerPod());
    }
    int slot = old != null && old.slot() != 0 ? old.slot() : freeSlot(records, slotsTaken);
    slotsTaken.add(slot);
    BpfMap trie =
        BpfMap.create(
            MapType.LPM_TRIE,
            RuleKey.LAYOUT.size(),
            RuleValue.LAYOUT.size(),
            Math.max(1, entries.size()),
            NO_PREALLOC,
            "np_rules");
    try {
      for (Map.Entry<RuleKey, RuleValue> e : entries) {
        trie.put(e.getKey().encode(), e.getValue().encode());
      }
    } catch (RuntimeException e) {
      trie.close();
      throw e;
    }
    PodInfo now =
        new PodInfo(
            key.namespace(),
            key.name(),
            pod.hostInterface(),
            digest,
            ifindex,
            generation,
            pod.addresses(),
            slot);
    return new Pending(pod, ifindex, trie, now, podOrigins, entries.size(), loaded);
  }

  /**
   * Puts the pending pods in force, in the order that keeps a record from naming rules not in
   * force: all tries into np_policy (one batch), then each record, then each pod's filters. Closes
   * the tries; returns the pods that failed.
   */
  private Map<PodKey, RuntimeException> commit(List<Pending> pending) {
    Map<PodKey, RuntimeException> failed = new LinkedHashMap<>();
    if (pending.isEmpty()) {
      return failed;
    }
    try (BpfMap policyMap = BpfMap.openPinned(pins.global(Pins.POLICY));
        BpfMap podsMap = BpfMap.openPinned(pins.global(Pins.PODS))) {
      policyMap.putInnerMaps(
          pending.stream().map(p -> ifKey(p.ifindex())).toList(),
          pending.stream().map(Pending::trie).toList());
      for (Pending p : pending) {
        try {
          origins.put(p.key(), p.origins());
          podsMap.put(ifKey(p.ifindex()), p.record().encode());
          if (!filtersCurrent(p.ifindex())) {
            attach(p.ifindex());
          }
          LOG.info(
              "pod {}: programmed on {} (policy {}, generation {}, {} trie entries{})",
              p.key(),
              p.pod().hostInterface(),
              p.record().policyDigest(),
              Integer.toUnsignedString(p.record().generation()),
              p.entries(),
              p.loaded() ? ", datapath loaded" : "");
        } catch (RuntimeException e) {
          failed.put(p.key(), e);
        }
      }
    } catch (RuntimeException e) {
      for (Pending p : pending) {
        failed.putIfAbsent(p.key(), e);
      }
    } finally {
      pending.forEach(Pending::close);
    }
    return failed;
  }

  /**
   * A free established-counter slot (1-based; 0 = none, the programs then count in np_counters),
   * zeroed before the record naming it is written, so a new pod never inherits an old one's counts.
   */
  private int freeSlot(Map<Integer, PodInfo> records, Set<Integer> taken) {
    Set<Integer> used = new HashSet<>(taken);
    for (PodInfo i : records.values()) {
      used.add(i.slot());
    }
    Path p = pins.global(Pins.EST_COUNTERS);
    if (!Files.exists(p)) {
      return 0;
    }
    try (BpfMap m = BpfMap.openPinned(p)) {
      int slots = m.info().maxEntries() / 2;
      for (int slot = 1; slot <= slots; slot++) {
        if (!used.contains(slot)) {
          byte[] zero = new byte[m.valueBufferSize()];
          for (int dir = 0; dir < 2; dir++) {
            m.put(ifKey((slot - 1) * 2 + dir), zero);
          }
          return slot;
        }
      }
    }
    return 0;
  }

  /** Allowed established packets of a slot's direction, summed over CPUs (0 for no slot). */
  public long establishedPackets(int slot, int direction) {
    Path p = pins.global(Pins.EST_COUNTERS);
    if (slot == 0 || !Files.exists(p)) {
      return 0;
    }
    try (BpfMap m = BpfMap.openPinned(p)) {
      return m.get(ifKey((slot - 1) * 2 + direction))
          .map(v -> dev.netpol.backend.ebpf.internal.abi.Counter.sumPerCpu(v).packets())
          .orElse(0L);
    }
  }

  /** Detaches the pod's filters (only if they are still ours), forgets its state and flows. */
  public synchronized boolean remove(PodKey key) {
    boolean found = false;
    for (Map.Entry<Integer, PodInfo> e : records().entrySet()) {
      if (keyOf(e.getValue()).equals(key)) {
        forget(e.getKey());
        found = true;
      }
    }
    if (found) {
      origins.remove(key);
      LOG.info("pod {}: removed", key);
    }
    return found;
  }

  /**
   * Removes the state of pods whose recorded host interface is gone (the kernel dropped their
   * filters with it), and tries no record names (left by a crash between the two writes of {@link
   * #apply}), deciding and removing under the lock {@link #apply} takes. Returns the pods removed.
   */
  public synchronized List<PodKey> pruneVanished() {
    List<PodKey> out = new ArrayList<>();
    Map<Integer, PodInfo> records = records();
    for (Map.Entry<Integer, PodInfo> e : records.entrySet()) {
      PodInfo i = e.getValue();
      if (Interfaces.index(i.ifname()).orElse(0) != e.getKey()) {
        LOG.info("pod {}: host interface {} is gone; its state is removed", keyOf(i), i.ifname());
        forget(e.getKey());
        origins.remove(keyOf(i));
        out.add(keyOf(i));
      }
    }
    Path p = pins.global(Pins.POLICY);
    if (Files.exists(p)) {
      try (BpfMap policyMap = BpfMap.openPinned(p)) {
        for (byte[] k : policyMap.keys()) {
          int idx = Abi.wrap(k).getInt();
          if (!records.containsKey(idx)) {
            policyMap.delete(k);
          }
        }
      }
    }
    return out;
  }

  /** Every pod record, by host interface index. */
  public Map<Integer, PodInfo> records() {
    Map<Integer, PodInfo> out = new TreeMap<>();
    Path p = pins.global(Pins.PODS);
    if (!Files.exists(p)) {
      return out;
    }
    try (BpfMap m = BpfMap.openPinned(p)) {
      for (BpfMap.Entry e : m.entries()) {
        out.put(Abi.wrap(e.key()).getInt(), PodInfo.decode(e.value()));
      }
    }
    return out;
  }

  /** The record of one host interface, or null. */
  public PodInfo record(int ifindex) {
    Path p = pins.global(Pins.PODS);
    if (!Files.exists(p)) {
      return null;
    }
    try (BpfMap m = BpfMap.openPinned(p)) {
      return m.get(ifKey(ifindex)).map(PodInfo::decode).orElse(null);
    }
  }

  public List<PodKey> pods() {
    return records().values().stream().map(PodDatapath::keyOf).distinct().sorted().toList();
  }

  public PodInfo readInfo(PodKey key) {
    for (PodInfo i : records().values()) {
      if (keyOf(i).equals(key)) {
        return i;
      }
    }
    return null;
  }

  public static PodKey keyOf(PodInfo i) {
    return new PodKey(i.namespace(), i.name());
  }

  private static Map<Direction, Map<Integer, Set<String>>> originsOf(
      PodPolicy policy, int generation, PodKey key) {
    Map<Direction, Map<Integer, Set<String>>> m = new ConcurrentHashMap<>();
    for (Direction d : Direction.values()) {
      m.put(
          d,
          RuleCompiler.compile(policy.direction(d), dirCode(d), generation, "pod " + key)
              .classOrigins());
    }
    return m;
  }

  /** Policies behind a class of a pod's direction, if this process programmed it. */
  public Set<String> originsOf(PodKey key, int direction, int classId) {
    Map<Direction, Map<Integer, Set<String>>> m = origins.get(key);
    if (m == null) {
      return Set.of();
    }
    return m.get(direction == Abi.DIR_INGRESS ? Direction.INGRESS : Direction.EGRESS)
        .getOrDefault(classId, Set.of());
  }

  /** The node's record (which object the pinned programs came from), or null. */
  public NodeInfo node() {
    Path p = pins.global(Pins.NODE);
    if (!Files.exists(p)) {
      return null;
    }
    try (BpfMap m = BpfMap.openPinned(p)) {
      NodeInfo n = m.get(new byte[4]).map(NodeInfo::decode).orElse(null);
      return n == null || n.objectDigest().isEmpty() ? null : n;
    }
  }

  /** True if both hooks of the interface run exactly the pinned programs. */
  public boolean filtersCurrent(int ifindex) {
    if (ingressProgId == 0 && !readProgramIds()) {
      return false;
    }
    return TcFilters.attachedProgramId(ifindex, TcFilters.Hook.EGRESS) == ingressProgId
        && TcFilters.attachedProgramId(ifindex, TcFilters.Hook.INGRESS) == egressProgId;
  }

  /** Ids of the pinned programs [ingress, egress], or zeros if not loaded. */
  public int[] programIds() {
    if (ingressProgId == 0) {
      readProgramIds();
    }
    return new int[] {ingressProgId, egressProgId};
  }

  private boolean readProgramIds() {
    Path in = pins.global(Pins.PROG_INGRESS);
    Path eg = pins.global(Pins.PROG_EGRESS);
    if (!Files.exists(in) || !Files.exists(eg)) {
      return false;
    }
    try (BpfProgram i = BpfProgram.openPinned(in);
        BpfProgram e = BpfProgram.openPinned(eg)) {
      egressProgId = e.id();
      ingressProgId = i.id();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Forgets the cached program ids (the pins were removed, e.g. by a release). */
  public void unloaded() {
    ingressProgId = 0;
    egressProgId = 0;
  }

  /**
   * Loads and pins the programs and node-wide maps unless the pinned ones came from this object.
   * Returns true if it loaded. A different object (an upgrade) reuses the pinned maps, so pods and
   * flows survive, and every pod's filters are swapped to the new programs.
   */
  private boolean ensureNode() {
    boolean pinned =
        Files.exists(pins.global(Pins.PROG_INGRESS))
            && Files.exists(pins.global(Pins.PROG_EGRESS))
            && Pins.OBJECT_MAPS.stream().allMatch(m -> Files.exists(pins.global(m)));
    // The node record even if a map is missing (an upgrade that adds a map): pods' filters must
    // then still move to the new programs.
    NodeInfo node = node();
    if (pinned && node != null && node.objectDigest().equals(object.digest())) {
      if (ingressProgId == 0) {
        readProgramIds();
      }
      return false;
    }
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(pins.global(Pins.CONNTRACK).getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create pin directory " + pins.root(), e);
    }
    try (BpfObject obj = BpfObject.open(object.file())) {
      for (String m : Pins.OBJECT_MAPS) {
        obj.setPinPath(m, pins.global(m));
      }
      obj.setMaxEntries(Pins.CONNTRACK, conntrackSize());
      obj.load();
      pinReplacing(obj.program(DatapathObject.INGRESS_PROGRAM), pins.global(Pins.PROG_INGRESS));
      pinReplacing(obj.program(DatapathObject.EGRESS_PROGRAM), pins.global(Pins.PROG_EGRESS));
      ingressProgId = obj.program(DatapathObject.INGRESS_PROGRAM).id();
      egressProgId = obj.program(DatapathObject.EGRESS_PROGRAM).id();
    }
    try (BpfMap m = BpfMap.openPinned(pins.global(Pins.NODE))) {
      m.put(new byte[4], new NodeInfo(object.digest(), System.currentTimeMillis()).encode());
    }
    LOG.info(
        "datapath {} loaded and pinned under {} in {} ms{}",
        object.digest(),
        pins.root(),
        (System.nanoTime() - t0) / 1_000_000,
        node != null ? " (replacing " + node.objectDigest() + ")" : "");
    if (node != null) {
      for (Map.Entry<Integer, PodInfo> e : records().entrySet()) {
        if (Interfaces.index(e.getValue().ifname()).orElse(0) == e.getKey()) {
          attach(e.getKey());
        }
      }
    }
    return true;
  }

  /**
   * The configured conntrack size, unless a table is already pinned: it keeps its size (resizing
   * would drop every tracked flow) until the node's pins are released.
   */
  private int conntrackSize() {
    Path p = pins.global(Pins.CONNTRACK);
    if (Files.exists(p)) {
      try (BpfMap m = BpfMap.openPinned(p)) {
        int pinned = m.info().maxEntries();
        if (pinned != limits.conntrackEntries()) {
          LOG.warn(
              "conntrack table pinned with {} entries, configured {}: kept until the pins are"
                  + " released",
              pinned,
              limits.conntrackEntries());
        }
        return pinned;
      }
    }
    return limits.conntrackEntries();
  }

  /**
   * Replaces a program pin. bpffs refuses rename(2) here, so the old pin is unlinked first; the
   * path is missing for a moment but enforcement is not: the tc filters hold their own reference.
   */
  private static void pinReplacing(BpfProgram prog, Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpin " + path, e);
    }
    prog.pin(path);
  }

  private void attach(int ifindex) {
    try (BpfProgram in = BpfProgram.openPinned(pins.global(Pins.PROG_INGRESS));
        BpfProgram eg = BpfProgram.openPinned(pins.global(Pins.PROG_EGRESS))) {
      // packets into the pod leave the host veth, packets out of the pod enter it
      TcFilters.attach(ifindex, TcFilters.Hook.EGRESS, in);
      TcFilters.attach(ifindex, TcFilters.Hook.INGRESS, eg);
    }
  }

  /** Detaches (if ours), then drops the trie, the record, the flows and the counters. */
  private void forget(int ifindex) {
    int[] ids = programIds();
    if (ids[0] != 0 && TcFilters.attachedProgramId(ifindex, TcFilters.Hook.EGRESS) == ids[0]) {
      TcFilters.detach(ifindex, TcFilters.Hook.EGRESS);
    }
    if (ids[1] != 0 && TcFilters.attachedProgramId(ifindex, TcFilters.Hook.INGRESS) == ids[1]) {
      TcFilters.detach(ifindex, TcFilters.Hook.INGRESS);
    }
    // The record before the trie: the programs trust a record's generation only while the trie
    // it names is in place (see bpf/README "Atomic updates").
    for (String m : List.of(Pins.PODS, Pins.POLICY)) {
      Path p = pins.global(m);
      if (Files.exists(p)) {
        try (BpfMap map = BpfMap.openPinned(p)) {
          map.delete(ifKey(ifindex));
        }
      }
    }
    Conntrack.forgetInterface(pins, ifindex);
    Path c = pins.global(Pins.COUNTERS);
    if (Files.exists(c)) {
      try (BpfMap m = BpfMap.openPinned(c)) {
        List<byte[]> gone = new ArrayList<>();
        for (byte[] k : m.keys()) {
          if (CounterKey.decode(k).ifindex() == ifindex) {
            gone.add(k);
          }
        }
        m.deleteBatchPresent(gone);
      }
    }
  }

  private boolean hasTrie(int ifindex) {
    try (BpfMap m = BpfMap.openPinned(pins.global(Pins.POLICY))) {
      return m.innerMapId(ifKey(ifindex)).isPresent();
    }
  }

  public static byte[] ifKey(int ifindex) {
    return Abi.buffer(4).putInt(ifindex).array();
  }

  static int dirCode(Direction d) {
    return d == Direction.INGRESS ? Abi.DIR_INGRESS : Abi.DIR_EGRESS;
  }

  private static String name(Direction d) {
    return d.name().toLowerCase();
  }
}
