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
import dev.netpol.backend.ebpf.internal.kernel.BpfMap;
import dev.netpol.backend.ebpf.internal.kernel.BpfProgram;
import dev.netpol.backend.ebpf.internal.kernel.Libbpf;
import dev.netpol.backend.ebpf.internal.kernel.ObjectFile;
import dev.netpol.backend.ebpf.internal.kernel.Tc;
import dev.netpol.backend.ebpf.internal.rules.RuleCompiler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Programs one pod's kernel objects. Order for a new pod: load programs (maps pinned), fill both
 * tries, write the identity record, then attach the tc filters, so the first packet already sees
 * the rules. For a known pod: build fresh tries and swap each into the outer map with one update
 * (atomic per direction), bump the generation so established flows get re-checked, and replace
 * the filters only if they do not point at the pinned programs.
 */
public final class PodDatapath {
  private static final Logger LOG = LoggerFactory.getLogger(PodDatapath.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pins pins;
  private final DatapathObject object;
  private final Map<PodKey, Map<Direction, Map<Integer, Set<String>>>> origins = new ConcurrentHashMap<>();

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
    int ifindex = Libbpf.LIB.if_nametoindex(pod.hostInterface());
    if (ifindex <= 0) {
      throw new IllegalArgumentException("pod " + key + ": host interface " + pod.hostInterface() + " not found");
    }
    Path dir = pins.podDir(key);
    PodInfo old = readInfo(key);
    String digest = policy.digest();
    boolean freshPrograms = old == null || !old.objectDigest().equals(object.digest()) || !programsPinned(dir);
    if (!freshPrograms && old.policyDigest().equals(digest) && old.ifindex() == ifindex && filtersCurrent(dir, ifindex)
        && origins.containsKey(key)) {
      return false;
    }
    if (freshPrograms) {
      loadPrograms(dir);
    }
    int generation = old == null ? RANDOM.nextInt() | 1 : old.generation() + 1;
    try (BpfMap outer = BpfMap.openPinned(dir.resolve(Pins.POLICY).toString());
        BpfMap info = BpfMap.openPinned(dir.resolve(Pins.POD).toString())) {
      Map<Direction, Map<Integer, Set<String>>> podOrigins = new ConcurrentHashMap<>();
      for (Direction d : Direction.values()) {
        RuleCompiler.Compiled c = RuleCompiler.compile(policy.direction(d), generation, "pod " + key + " " + d.name().toLowerCase());
        swapIn(outer, d, c);
        podOrigins.put(d, c.classOrigins());
      }
      origins.put(key, podOrigins);
      PodInfo now = new PodInfo(key.namespace(), key.name(), pod.hostInterface(), digest, object.digest(), ifindex,
          generation, pod.addresses());
      info.update(new byte[4], now.encode());
    }
    if (freshPrograms || old.ifindex() != ifindex || !filtersCurrent(dir, ifindex)) {
      attach(dir, ifindex);
    }
    LOG.info("pod {}: programmed on {} (policy {}, generation {}{})", key, pod.hostInterface(), digest,
        Integer.toUnsignedString(generation), freshPrograms ? ", programs loaded" : "");
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

  public PodInfo readInfo(PodKey key) {
    Path p = pins.podDir(key).resolve(Pins.POD);
    if (!Files.exists(p)) {
      return null;
    }
    try (BpfMap m = BpfMap.openPinned(p.toString())) {
      byte[] v = m.lookup(new byte[4]);
      PodInfo info = v == null ? null : PodInfo.decode(v);
      return info == null || info.namespace().isEmpty() ? null : info;
    }
  }

  /** Policies behind a class of a pod's direction, if this process programmed it. */
  public Set<String> originsOf(PodKey key, int direction, int classId) {
    Map<Direction, Map<Integer, Set<String>>> m = origins.get(key);
    if (m == null) {
      return Set.of();
    }
    return m.get(direction == Abi.DIR_INGRESS ? Direction.INGRESS : Direction.EGRESS).getOrDefault(classId, Set.of());
  }

  /** True if both hooks of the interface run exactly the pod's pinned programs. */
  public boolean filtersCurrent(Path dir, int ifindex) {
    try (BpfProgram in = BpfProgram.openPinned(dir.resolve(Pins.PROG_INGRESS).toString());
        BpfProgram eg = BpfProgram.openPinned(dir.resolve(Pins.PROG_EGRESS).toString())) {
      return Tc.attachedProgramId(ifindex, Tc.Hook.EGRESS) == in.info().id()
          && Tc.attachedProgramId(ifindex, Tc.Hook.INGRESS) == eg.info().id();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void swapIn(BpfMap outer, Direction d, RuleCompiler.Compiled c) {
    try (BpfMap inner = BpfMap.create(Libbpf.BPF_MAP_TYPE_LPM_TRIE, d == Direction.INGRESS ? "np_rules_in" : "np_rules_eg",
        28, 16, Math.max(1, c.size()), Libbpf.BPF_F_NO_PREALLOC)) {
      for (Map.Entry<RuleKey, RuleValue> e : c.entries()) {
        inner.update(e.getKey().encode(), e.getValue().encode());
      }
      int index = d == Direction.INGRESS ? Abi.DIR_INGRESS : Abi.DIR_EGRESS;
      outer.update(Abi.buffer(4).putInt(index).array(), Abi.buffer(4).putInt(inner.fd()).array());
    }
  }

  private void loadPrograms(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.createDirectories(pins.global(Pins.CONNTRACK).getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create pin directory " + dir, e);
    }
    try (ObjectFile obj = ObjectFile.open(object.file())) {
      obj.load(Map.of(
              Pins.CONNTRACK, pins.global(Pins.CONNTRACK).toString(),
              Pins.EVENTS, pins.global(Pins.EVENTS).toString(),
              Pins.POLICY, dir.resolve(Pins.POLICY).toString(),
              Pins.POD, dir.resolve(Pins.POD).toString()),
          List.of(DatapathObject.INGRESS_PROGRAM, DatapathObject.EGRESS_PROGRAM));
      try (BpfProgram in = obj.program(DatapathObject.INGRESS_PROGRAM);
          BpfProgram eg = obj.program(DatapathObject.EGRESS_PROGRAM)) {
        pinReplacing(in, dir.resolve(Pins.PROG_INGRESS));
        pinReplacing(eg, dir.resolve(Pins.PROG_EGRESS));
      }
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
    prog.pin(path.toString());
  }

  private void attach(Path dir, int ifindex) {
    try (BpfProgram in = BpfProgram.openPinned(dir.resolve(Pins.PROG_INGRESS).toString());
        BpfProgram eg = BpfProgram.openPinned(dir.resolve(Pins.PROG_EGRESS).toString())) {
      Tc.attach(ifindex, Tc.Hook.EGRESS, in); // packets into the pod leave the host veth
      Tc.attach(ifindex, Tc.Hook.INGRESS, eg); // packets out of the pod enter the host veth
    }
  }

  private void detachIfOurs(Path dir, int ifindex) {
    for (Tc.Hook hook : Tc.Hook.values()) {
      Path pin = dir.resolve(hook == Tc.Hook.EGRESS ? Pins.PROG_INGRESS : Pins.PROG_EGRESS);
      if (!Files.exists(pin)) {
        continue;
      }
      try (BpfProgram p = BpfProgram.openPinned(pin.toString())) {
        if (Tc.attachedProgramId(ifindex, hook) == p.info().id()) {
          Tc.detach(ifindex, hook);
        }
      }
    }
  }

  private boolean programsPinned(Path dir) {
    return Files.exists(dir.resolve(Pins.PROG_INGRESS)) && Files.exists(dir.resolve(Pins.PROG_EGRESS))
        && Files.exists(dir.resolve(Pins.POLICY));
  }

  private void forgetFlows(int ifindex) {
    Path ct = pins.global(Pins.CONNTRACK);
    if (!Files.exists(ct)) {
      return;
    }
    try (BpfMap m = BpfMap.openPinned(ct.toString())) {
      for (byte[] k : m.keys()) {
        if (CtKey.decode(k).ifindex() == ifindex) {
          m.delete(k);
        }
      }
    }
  }
}
