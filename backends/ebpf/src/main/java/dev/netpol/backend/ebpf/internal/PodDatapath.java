package dev.netpol.backend.ebpf.internal;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Direction;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.abi.CtKey;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Programs one pod's kernel objects. Order for a new pod: load programs (maps pinned), fill both
 * tries, write the identity record, then attach the tc filters, so the first packet already sees
 * the rules. For a known pod: build fresh tries and swap each into the outer map with one update
 * (atomic per direction), bump the generation so established flows get re-checked, and replace the
 * filters only if they do not point at the pinned programs.
 */
public final class PodDatapath {
  private static final Logger LOG = LoggerFactory.getLogger(PodDatapath.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NO_PREALLOC = 1; // BPF_F_NO_PREALLOC, required for LPM tries

  private final Pins pins;
  private final DatapathObject object;
  private final Map<PodKey, Map<Direction, Map<Integer, Set<String>>>> origins =
      new ConcurrentHashMap<>();

  public PodDatapath(Pins pins, DatapathObject object) {
    this.pins = pins;
    this.object = object;
  }

  public Pins pins() {
    return pins;
  }

  /** Returns false if the pod was already exactly in this state (nothing written). */
  public synchronized boolean apply(PodEndpoint pod, PodPolicy policy) {
    PodKey key = pod.key();
    int ifindex = Interfaces.index(pod.hostInterface()).orElse(0);
    if (ifindex <= 0) {
      throw new IllegalArgumentException(
          "pod " + key + ": host interface " + pod.hostInterface() + " not found");
    }
    Path dir = pins.podDir(key);
    PodInfo old = readInfo(key);
    String digest = policy.digest();
    boolean freshPrograms =
        old == null || !old.objectDigest().equals(object.digest()) || !programsPinned(dir);
    if (!freshPrograms
        && old.policyDigest().equals(digest)
        && old.ifindex() == ifindex
        && filtersCurrent(dir, ifindex)) {
      // Already enforced (e.g. adopted after a restart): write nothing. Class ids are a pure
      // function of the policy, so compiling again only restores the names for flow logs.
      origins.computeIfAbsent(key, k -> originsOf(policy, old.generation(), k));
      return false;
    }
    if (freshPrograms) {
      loadPrograms(dir);
    }
    int generation = old == null ? RANDOM.nextInt() | 1 : old.generation() + 1;
    try (BpfMap outer = BpfMap.openPinned(dir.resolve(Pins.POLICY));
        BpfMap info = BpfMap.openPinned(dir.resolve(Pins.POD))) {
      Map<Direction, Map<Integer, Set<String>>> podOrigins = new ConcurrentHashMap<>();
      for (Direction d : Direction.values()) {
        RuleCompiler.Compiled c =
            RuleCompiler.compile(
                policy.direction(d), generation, "pod " + key + " " + d.name().toLowerCase());
        swapIn(outer, d, c);
        podOrigins.put(d, c.classOrigins());
      }
      origins.put(key, podOrigins);
      PodInfo now =
          new PodInfo(
              key.namespace(),
              key.name(),
              pod.hostInterface(),
              digest,
              object.digest(),
              ifindex,
              generation,
              pod.addresses());
      info.put(new byte[4], now.encode());
    }
    if (freshPrograms || old.ifindex() != ifindex || !filtersCurrent(dir, ifindex)) {
      attach(dir, ifindex);
    }
    LOG.info(
        "pod {}: programmed on {} (policy {}, generation {}{})",
        key,
        pod.hostInterface(),
        digest,
        Integer.toUnsignedString(generation),
        freshPrograms ? ", programs loaded" : "");
    return true;
  }

  /** Detaches the pod's filters (only if they are still ours), forgets its flows, unpins. */
  public synchronized boolean remove(PodKey key) {
    Path dir = pins.podDir(key);
    PodInfo info = readInfo(key);
    if (info == null && !Files.exists(dir)) {
      return false;
    }
    if (info != null) {
      detachIfOurs(dir, info.ifindex());
      forgetFlows(info.ifindex());
    }
    Pins.deleteTree(dir);
    origins.remove(key);
    LOG.info("pod {}: removed", key);
    return true;
  }

  /**
   * Removes the pod's pins if its recorded host interface is gone, deciding and removing under the
   * lock {@link #apply} takes: a pod programmed again on a new interface meanwhile is kept.
   */
  public synchronized boolean removeIfVanished(PodKey key) {
    PodInfo i = readInfo(key);
    if (i == null || Interfaces.index(i.ifname()).orElse(0) == i.ifindex()) {
      return false;
    }
    LOG.info("pod {}: host interface {} is gone; its pins are removed", key, i.ifname());
    return remove(key);
  }

  public PodInfo readInfo(PodKey key) {
    Path p = pins.podDir(key).resolve(Pins.POD);
    if (!Files.exists(p)) {
      return null;
    }
    try (BpfMap m = BpfMap.openPinned(p)) {
      byte[] v = m.get(new byte[4]).orElse(null);
      PodInfo info = v == null ? null : PodInfo.decode(v);
      return info == null || info.namespace().isEmpty() ? null : info;
    }
  }

  private static Map<Direction, Map<Integer, Set<String>>> originsOf(
      PodPolicy policy, int generation, PodKey key) {
    Map<Direction, Map<Integer, Set<String>>> m = new ConcurrentHashMap<>();
    for (Direction d : Direction.values()) {
      m.put(d, RuleCompiler.compile(policy.direction(d), generation, "pod " + key).classOrigins());
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

  /** True if both hooks of the interface run exactly the pod's pinned programs. */
  public boolean filtersCurrent(Path dir, int ifindex) {
    try (BpfProgram in = BpfProgram.openPinned(dir.resolve(Pins.PROG_INGRESS));
        BpfProgram eg = BpfProgram.openPinned(dir.resolve(Pins.PROG_EGRESS))) {
      return TcFilters.attachedProgramId(ifindex, TcFilters.Hook.EGRESS) == in.id()
          && TcFilters.attachedProgramId(ifindex, TcFilters.Hook.INGRESS) == eg.id();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void swapIn(BpfMap outer, Direction d, RuleCompiler.Compiled c) {
    try (BpfMap inner =
        BpfMap.create(
            MapType.LPM_TRIE,
            RuleKey.LAYOUT.size(),
            RuleValue.LAYOUT.size(),
            Math.max(1, c.size()),
            NO_PREALLOC,
            d == Direction.INGRESS ? "np_rules_in" : "np_rules_eg")) {
      for (Map.Entry<RuleKey, RuleValue> e : c.entries()) {
        inner.put(e.getKey().encode(), e.getValue().encode());
      }
      int index = d == Direction.INGRESS ? Abi.DIR_INGRESS : Abi.DIR_EGRESS;
      outer.putInnerMap(Abi.buffer(4).putInt(index).array(), inner);
    }
  }

  private void loadPrograms(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.createDirectories(pins.global(Pins.CONNTRACK).getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create pin directory " + dir, e);
    }
    try (BpfObject obj = BpfObject.open(object.file())) {
      obj.setPinPath(Pins.CONNTRACK, pins.global(Pins.CONNTRACK))
          .setPinPath(Pins.EVENTS, pins.global(Pins.EVENTS))
          .setPinPath(Pins.POLICY, dir.resolve(Pins.POLICY))
          .setPinPath(Pins.POD, dir.resolve(Pins.POD))
          .load();
      pinReplacing(obj.program(DatapathObject.INGRESS_PROGRAM), dir.resolve(Pins.PROG_INGRESS));
      pinReplacing(obj.program(DatapathObject.EGRESS_PROGRAM), dir.resolve(Pins.PROG_EGRESS));
    }
  }

  /**
   * Replaces a program pin. bpffs refuses rename(2) here, so the old pin is unlinked first; the
   * path is missing for a moment but enforcement is not: the tc filter holds its own reference.
   */
  private static void pinReplacing(BpfProgram prog, Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpin " + path, e);
    }
    prog.pin(path);
  }

  private void attach(Path dir, int ifindex) {
    try (BpfProgram in = BpfProgram.openPinned(dir.resolve(Pins.PROG_INGRESS));
        BpfProgram eg = BpfProgram.openPinned(dir.resolve(Pins.PROG_EGRESS))) {
      TcFilters.attach(
          ifindex, TcFilters.Hook.EGRESS, in); // packets into the pod leave the host veth
      TcFilters.attach(
          ifindex, TcFilters.Hook.INGRESS, eg); // packets out of the pod enter the host veth
    }
  }

  private void detachIfOurs(Path dir, int ifindex) {
    for (TcFilters.Hook hook : TcFilters.Hook.values()) {
      Path pin = dir.resolve(hook == TcFilters.Hook.EGRESS ? Pins.PROG_INGRESS : Pins.PROG_EGRESS);
      if (!Files.exists(pin)) {
        continue;
      }
      try (BpfProgram p = BpfProgram.openPinned(pin)) {
        if (TcFilters.attachedProgramId(ifindex, hook) == p.id()) {
          TcFilters.detach(ifindex, hook);
        }
      }
    }
  }

  private boolean programsPinned(Path dir) {
    return Files.exists(dir.resolve(Pins.PROG_INGRESS))
        && Files.exists(dir.resolve(Pins.PROG_EGRESS))
        && Files.exists(dir.resolve(Pins.POLICY));
  }

  private void forgetFlows(int ifindex) {
    Path ct = pins.global(Pins.CONNTRACK);
    if (!Files.exists(ct)) {
      return;
    }
    try (BpfMap m = BpfMap.openPinned(ct)) {
      for (byte[] k : m.keys()) {
        if (CtKey.decode(k).ifindex() == ifindex) {
          m.delete(k);
        }
      }
    }
  }
}
