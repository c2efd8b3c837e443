package dev.netpol.backend.iptables;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.BackendStatistics;
import dev.netpol.api.CapacityExceededException;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.Direction;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.backend.iptables.internal.Names;
import dev.netpol.backend.iptables.internal.PodRecord;
import dev.netpol.backend.iptables.internal.PodRules;
import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.IpSet;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.SavedRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NetworkPolicy enforcement with iptables and ipsets (name {@code iptables}), the layout of
 * Calico's and kube-router's iptables dataplanes: one dispatch point per direction ({@code
 * P-TO-POD} from {@code FORWARD} and {@code OUTPUT}, {@code P-FROM-POD} from {@code FORWARD} and
 * {@code INPUT}) jumps by the pod's host interface to the pod's own chains, whose rules match peers
 * in {@code hash:net} sets (one per policy rule and family), so a packet costs one set lookup per
 * rule whatever the number of peers. IPv4 and IPv6 alike ({@code iptables}, {@code ip6tables}).
 *
 * <p>Everything lives in the kernel under {@link Config#prefix()}: closing this backend leaves it
 * enforcing, and a new instance adopts it (see the module README).
 */
public final class IptablesBackend implements EnforcementBackend, AutoCloseable {
  public static final String NAME = "iptables";
  public static final String DEFAULT_PREFIX = "NPIPT";
  private static final Logger LOG = LoggerFactory.getLogger(IptablesBackend.class);
  private static final String JUMP_COMMENT = "-m comment --comment netpol";

  /**
   * @param prefix first part of every chain and set name (1-10 letters or digits)
   * @param timeout deadline of each iptables/ipset command
   */
  public record Config(String prefix, Duration timeout) {
    public static Config defaults() {
      return new Config(DEFAULT_PREFIX, Duration.ofSeconds(30));
    }
  }

  /** A programmed pod: its record and the sets its chains reference now, both families. */
  private record PodState(PodRecord record, Map<String, IpSet> sets) {}

  /** Carries a checked CapacityExceededException out of the unchecked apply path. */
  private static final class CapacityException extends RuntimeException {
    final CapacityExceededException exceeded;

    CapacityException(CapacityExceededException exceeded) {
      super(exceeded.getMessage(), exceeded);
      this.exceeded = exceeded;
    }
  }

  private final Config config;
  private final Netfilter nf;
  private final Map<PodKey, PodState> pods = new TreeMap<>();

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
    try {
      applyChecked(pod, policy);
    } catch (CapacityException e) {
      throw e.exceeded; // nothing was written: the pod keeps its previous state
    } catch (RuntimeException e) {
      throw new EnforcementException("pod " + pod.key() + ": " + e.getMessage(), e);
    }
  }

  private void applyChecked(PodEndpoint pod, PodPolicy policy) {
    String ifname = pod.hostInterface();
    if (!ifname.matches("[A-Za-z0-9_.@-]{1,15}")) {
      throw new IllegalArgumentException(
          "host interface '" + ifname + "' is not an interface name");
    }
    Names names = Names.of(config.prefix(), pod.key());
    PodState old = pods.get(pod.key());
    String digest = policy.digest();
    if (old != null
        && old.record().digest().equals(digest)
        && old.record().hostInterface().equals(ifname)
        && old.record().addresses().equals(pod.addresses())) {
      return;
    }
    // the shape: the chains with a placeholder generation; equal shapes differ only in set members
    Map<Family, PodRules.Rendered> probe = new EnumMap<>(Family.class);
    for (Family f : Family.values()) {
      probe.put(f, PodRules.render(names, policy, f, 'x'));
    }
    String shape = shape(probe);
    boolean sameChains =
        old != null
            && old.record().shape().equals(shape)
            && old.record().hostInterface().equals(ifname);
    char gen = old == null ? 'a' : sameChains ? old.record().gen() : other(old.record().gen());
    Map<Family, PodRules.Rendered> rendered = new EnumMap<>(Family.class);
    Map<String, IpSet> sets = new LinkedHashMap<>();
    for (Family f : Family.values()) {
      PodRules.Rendered r = PodRules.render(names, policy, f, gen);
      rendered.put(f, r);
      sets.putAll(r.sets());
    }
    for (IpSet set : sets.values()) {
      if (set.members().size() > IpSet.MAX_ELEMENTS) {
        throw new CapacityException(
            new CapacityExceededException(
                pod.key(), set.name(), set.members().size(), IpSet.MAX_ELEMENTS));
      }
    }
    PodRecord record = new PodRecord(pod.key(), ifname, pod.addresses(), digest, shape, gen);
    Chain info = record.chain(names);
    if (sameChains) {
      // only peers changed: swap the changed sets in place, then update the identity record
      List<IpSet> changed =
          sets.values().stream().filter(s -> !s.equals(old.sets().get(s.name()))).toList();
      nf.applySets(List.of(), changed, List.of());
      nf.apply(new Netfilter.Ruleset(Family.V4, List.of(info), Set.of(), List.of(), List.of()));
      pods.put(pod.key(), new PodState(record, sets));
      LOG.info("pod {}: {} peer sets swapped", pod.key(), changed.size());
      return;
    }
    nf.applySets(List.copyOf(sets.values()), List.of(), List.of());
    boolean dispatchChanged = old == null || !old.record().hostInterface().equals(ifname);
    Map<PodKey, PodState> next = new TreeMap<>(pods);
    next.put(pod.key(), new PodState(record, sets));
    try {
      for (Family f : Family.values()) {
        List<Chain> write = new ArrayList<>(rendered.get(f).chains());
        if (f == Family.V4) {
          write.add(info);
        }
        List<Netfilter.Jump> jumps = List.of();
        if (dispatchChanged) {
          write.addAll(dispatch(next));
          jumps = missingJumps(f);
        }
        nf.apply(new Netfilter.Ruleset(f, write, Set.of(), jumps, List.of()));
      }
    } catch (RuntimeException e) {
      if (old == null) {
        destroyQuietly(sets.keySet());
      }
      throw e;
    }
    pods.put(pod.key(), new PodState(record, sets));
    if (old != null) {
      destroyQuietly(old.sets().keySet());
    }
    LOG.info(
        "pod {}: chains {} and {} programmed on {} ({} peer sets)",
        pod.key(),
        names.podChain(Direction.INGRESS),
        names.podChain(Direction.EGRESS),
        ifname,
        sets.size());
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
      for (Family f : Family.values()) {
        Set<String> delete = new HashSet<>();
        delete.add(names.podChain(Direction.INGRESS));
        delete.add(names.podChain(Direction.EGRESS));
        if (f == Family.V4) {
          delete.add(names.infoChain());
        }
        nf.apply(new Netfilter.Ruleset(f, dispatch(next), delete, List.of(), List.of()));
      }
      pods.remove(pod);
      destroyQuietly(old.sets().keySet());
      LOG.info("pod {}: chains and sets removed", pod);
    } catch (RuntimeException e) {
      throw new EnforcementException("pod " + pod + ": " + e.getMessage(), e);
    }
  }

  /** Read back from the kernel: the identity records of our {@code P-M-h} chains. */
  @Override
  public synchronized Map<PodKey, ProgrammedPod> programmed() {
    Map<PodKey, ProgrammedPod> out = new TreeMap<>();
    for (PodRecord r : records(nf.save(Family.V4)).values()) {
      out.put(r.key(), new ProgrammedPod(r.key(), r.hostInterface(), r.addresses(), r.digest()));
    }
    return out;
  }

  /** Healthy if the built-in chains jump to our dispatch and every pod's chains are dispatched. */
  @Override
  public synchronized BackendHealth health() {
    try {
      List<String> problems = new ArrayList<>();
      for (Family f : Family.values()) {
        Netfilter.Saved saved = nf.save(f);
        if (!pods.isEmpty() && !missingJumps(saved).isEmpty()) {
          problems.add(f.tool() + ": built-in chains do not jump to " + config.prefix());
        }
        Set<String> dispatched = new HashSet<>();
        for (String d : List.of(Names.toPod(config.prefix()), Names.fromPod(config.prefix()))) {
          for (SavedRule r : saved.chains().getOrDefault(d, List.of())) {
            dispatched.add(r.target());
          }
        }
        for (PodKey k : pods.keySet()) {
          Names n = Names.of(config.prefix(), k);
          for (Direction d : Direction.values()) {
            if (!saved.chains().containsKey(n.podChain(d)) || !dispatched.contains(n.podChain(d))) {
              problems.add(
                  f.tool() + ": pod " + k + " " + d.name().toLowerCase() + " not enforced");
            }
          }
        }
      }
      return problems.isEmpty()
          ? BackendHealth.ok(
              pods.size() + " pods enforced by iptables chains " + config.prefix() + "-*")
          : BackendHealth.failing(String.join("; ", problems));
    } catch (RuntimeException e) {
      return BackendHealth.failing("iptables backend unusable: " + e.getMessage());
    }
  }

  /** Rule counters of every pod chain (both families), set sizes, the kernel's conntrack count. */
  @Override
  public synchronized BackendStatistics statistics() {
    Map<String, PodKey> byHash = new HashMap<>();
    for (PodKey k : pods.keySet()) {
      byHash.put(Names.hash(k), k);
    }
    Map<List<Object>, Long> counts = new LinkedHashMap<>();
    for (Family f : Family.values()) {
      for (Map.Entry<String, List<SavedRule>> c : nf.save(f).chains().entrySet()) {
        String name = c.getKey();
        String rest = name.substring(config.prefix().length());
        if (!rest.startsWith("-I-") && !rest.startsWith("-E-")) {
          continue;
        }
        PodKey pod = byHash.get(rest.substring(3));
        if (pod == null) {
          continue;
        }
        String dir = rest.startsWith("-I-") ? "ingress" : "egress";
        for (SavedRule r : c.getValue()) {
          String why = r.comment();
          if (why.equals(PodRules.ND)) {
            continue;
          }
          boolean allowed = r.target().equals("RETURN");
          String policy =
              why.startsWith(PodRules.RULE) ? why.substring(PodRules.RULE.length()) : "";
          String reason = why.startsWith(PodRules.RULE) ? "rule" : why;
          counts.merge(List.of(pod, dir, allowed, policy, reason), r.packets(), Long::sum);
        }
      }
    }
    List<BackendStatistics.VerdictCount> verdicts = new ArrayList<>();
    counts.forEach(
        (k, n) ->
            verdicts.add(
                new BackendStatistics.VerdictCount(
                    (PodKey) k.get(0),
                    (String) k.get(1),
                    (Boolean) k.get(2),
                    (String) k.get(3),
                    (String) k.get(4),
                    n)));
    List<BackendStatistics.TableUsage> tables = new ArrayList<>();
    for (PodState s : pods.values()) {
      for (IpSet set : s.sets().values()) {
        tables.add(
            new BackendStatistics.TableUsage(set.name(), set.members().size(), IpSet.MAX_ELEMENTS));
      }
    }
    return new BackendStatistics(verdicts, tables, conntrackCount());
  }

  /** Hand-over done: removes every pod, the dispatch chains, our jumps and any set of ours. */
  @Override
  public synchronized void release() throws EnforcementException {
    try {
      for (Family f : Family.values()) {
        Netfilter.Saved saved = nf.save(f);
        nf.apply(
            new Netfilter.Ruleset(
                f,
                List.of(),
                saved.chains().keySet(),
                List.of(),
                saved.jumps().stream().map(j -> new Netfilter.Jump(j.chain(), j.spec())).toList()));
      }
      pods.clear();
      nf.applySets(List.of(), List.of(), List.copyOf(nf.sets().keySet()));
    } catch (RuntimeException e) {
      throw new EnforcementException("releasing " + config.prefix() + "-*: " + e.getMessage(), e);
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
    Map<String, IpSet> allSets = nf.sets();
    Set<String> keepSets = new HashSet<>();
    for (Map.Entry<String, PodRecord> e : records(v4).entrySet()) {
      PodRecord r = e.getValue();
      Names names = Names.of(config.prefix(), r.key());
      Map<String, IpSet> sets = new LinkedHashMap<>();
      for (IpSet s : allSets.values()) {
        String n = s.name();
        if (n.startsWith(names.setPrefix()) && n.charAt(n.length() - 2) == r.gen()) {
          sets.put(n, canonical(s));
        }
      }
      keepSets.addAll(sets.keySet());
      pods.put(r.key(), new PodState(r, sets));
    }
    // leftovers of an interrupted run: chains no pod record names, sets no pod chain references
    Set<String> keepChains =
        new HashSet<>(List.of(Names.toPod(config.prefix()), Names.fromPod(config.prefix())));
    for (PodKey k : pods.keySet()) {
      Names n = Names.of(config.prefix(), k);
      keepChains.addAll(
          List.of(n.infoChain(), n.podChain(Direction.INGRESS), n.podChain(Direction.EGRESS)));
    }
    for (Family f : Family.values()) {
      Netfilter.Saved saved = f == Family.V4 ? v4 : nf.save(f);
      Set<String> orphans = new HashSet<>(saved.chains().keySet());
      orphans.removeAll(keepChains);
      if (!orphans.isEmpty()) {
        LOG.info("iptables backend: removing {} leftover chains {}", f.tool(), orphans);
        nf.apply(new Netfilter.Ruleset(f, dispatch(pods), orphans, List.of(), List.of()));
      }
    }
    Set<String> orphanSets = new HashSet<>(allSets.keySet());
    orphanSets.removeAll(keepSets);
    destroyQuietly(orphanSets);
    pruneVanishedPods();
  }

  private Map<String, PodRecord> records(Netfilter.Saved v4) {
    Map<String, PodRecord> out = new TreeMap<>();
    String infoPrefix = config.prefix() + "-M-";
    for (Map.Entry<String, List<SavedRule>> c : v4.chains().entrySet()) {
      if (c.getKey().startsWith(infoPrefix)) {
        PodRecord r = PodRecord.parse(c.getValue());
        if (r != null) {
          out.put(c.getKey(), r);
        }
      }
    }
    return out;
  }

  private static IpSet canonical(IpSet s) {
    return new IpSet(
        s.name(),
        s.family(),
        s.members().stream()
            .map(m -> new IpSet.Member(Cidr.parse(m.cidr()).toString(), m.nomatch()))
            .toList());
  }

  // ---- helpers --------------------------------------------------------------------------------

  private List<Chain> dispatch(Map<PodKey, PodState> all) {
    List<String> to = new ArrayList<>();
    List<String> from = new ArrayList<>();
    for (PodState s : all.values()) {
      Names n = Names.of(config.prefix(), s.record().key());
      String ifname = s.record().hostInterface();
      to.add("-o " + ifname + " -j " + n.podChain(Direction.INGRESS));
      from.add("-i " + ifname + " -j " + n.podChain(Direction.EGRESS));
    }
    return List.of(
        new Chain(Names.toPod(config.prefix()), to),
        new Chain(Names.fromPod(config.prefix()), from));
  }

  private List<Netfilter.Jump> wantedJumps() {
    String to = Names.toPod(config.prefix());
    String from = Names.fromPod(config.prefix());
    return List.of(
        new Netfilter.Jump("FORWARD", JUMP_COMMENT + " -j " + from),
        new Netfilter.Jump("FORWARD", JUMP_COMMENT + " -j " + to),
        new Netfilter.Jump("INPUT", JUMP_COMMENT + " -j " + from),
        new Netfilter.Jump("OUTPUT", JUMP_COMMENT + " -j " + to));
  }

  private List<Netfilter.Jump> missingJumps(Family f) {
    return missingJumps(nf.save(f));
  }

  private List<Netfilter.Jump> missingJumps(Netfilter.Saved saved) {
    Set<String> present = new HashSet<>();
    for (SavedRule r : saved.jumps()) {
      present.add(r.chain() + " " + r.target());
    }
    return wantedJumps().stream()
        .filter(
            j ->
                !present.contains(
                    j.builtin() + " " + j.spec().substring(j.spec().lastIndexOf(' ') + 1)))
        .toList();
  }

  private void destroyQuietly(Set<String> sets) {
    if (sets.isEmpty()) {
      return;
    }
    try {
      nf.applySets(List.of(), List.of(), List.copyOf(sets));
    } catch (RuntimeException e) {
      LOG.warn("iptables backend: destroying sets {}: {}", sets, e.getMessage());
    }
  }

  private static char other(char gen) {
    return gen == 'a' ? 'b' : 'a';
  }

  private static String shape(Map<Family, PodRules.Rendered> rendered) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      rendered.forEach(
          (f, r) -> {
            for (Chain c : r.chains()) {
              md.update((f + c.name() + c.rules()).getBytes(StandardCharsets.UTF_8));
            }
          });
      return HexFormat.of().formatHex(md.digest(), 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
