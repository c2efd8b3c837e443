package dev.netpol.backend.ebpf;

import dev.netpol.backend.ebpf.internal.EventTap;
import dev.netpol.backend.ebpf.internal.Pins;
import dev.netpol.backend.ebpf.internal.PodDatapath;
import dev.netpol.backend.ebpf.internal.RootLock;
import dev.netpol.backend.ebpf.internal.TcFilters;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.abi.Counter;
import dev.netpol.backend.ebpf.internal.abi.CounterKey;
import dev.netpol.backend.ebpf.internal.abi.CtKey;
import dev.netpol.backend.ebpf.internal.abi.CtValue;
import dev.netpol.backend.ebpf.internal.abi.Event;
import dev.netpol.backend.ebpf.internal.abi.NodeInfo;
import dev.netpol.backend.ebpf.internal.abi.PodInfo;
import dev.netpol.backend.ebpf.internal.abi.RuleKey;
import dev.netpol.backend.ebpf.internal.abi.RuleValue;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.BpfProgram;
import dev.netpol.ebpf.sdk.MapInfo;
import dev.netpol.ebpf.sdk.MapType;
import dev.netpol.ebpf.sdk.RingBufferReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Operator commands that read the pins directly, so they work while the agent is down: {@code
 * [--root DIR] progs | maps | pods | dump-map ID|NAME | conntrack | events [SECONDS] | cost
 * [SECONDS] | release}.
 */
public final class EbpfCli {
  private static final String SECONDS = "[1-9]\\d{0,4}";
  private static final String USAGE =
      "usage: ebpf [--root DIR] progs | maps | pods | dump-map ID|NAME | conntrack | events"
          + " [SECONDS] | cost [SECONDS] | release";

  public int run(List<String> args, PrintStream out, PrintStream err) {
    List<String> a = new ArrayList<>(args);
    Path root = EbpfBackend.DEFAULT_PIN_ROOT;
    if (a.size() >= 2 && a.get(0).equals("--root")) {
      root = Path.of(a.get(1));
      a = a.subList(2, a.size());
    }
    if (a.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    Pins pins = new Pins(root);
    if (!Files.isDirectory(root)
        && List.of("progs", "loaded", "pods", "conntrack", "events", "cost").contains(a.get(0))) {
      // a node with no pod has no pins yet: not an error, but a mistyped --root should be visible
      err.println(
          "note: no netpol pins at " + root + " (no pod programmed here yet, or a wrong --root)");
    }
    try {
      switch (a.get(0)) {
        case "progs" -> progs(pins, out);
        case "maps" -> maps(pins, out);
        case "loaded", "pods" -> loaded(pins, out);
        case "dump-map" -> {
          if (a.size() < 2 || !(a.get(1).matches("\\d+") || Pins.OBJECT_MAPS.contains(a.get(1)))) {
            err.println(
                "dump-map needs a numeric map id (see `maps`) or a node-wide map's name: "
                    + String.join(", ", Pins.OBJECT_MAPS));
            return 2;
          }
          dumpMap(
              a.get(1).matches("\\d+")
                  ? BpfMap.fromId(Integer.parseInt(a.get(1)))
                  : BpfMap.openPinned(pins.global(a.get(1))),
              out);
        }
        case "conntrack" -> dumpMap(BpfMap.openPinned(pins.global(Pins.CONNTRACK)), out);
        case "release" -> {
          return release(root, out, err);
        }
        case "events", "cost" -> {
          if (a.size() > 1 && !a.get(1).matches(SECONDS)) {
            err.println(a.get(0) + " takes a number of seconds (1..99999), got '" + a.get(1) + "'");
            return 2;
          }
          int seconds = a.size() > 1 ? Integer.parseInt(a.get(1)) : 5;
          if (a.get(0).equals("events")) {
            events(pins, seconds, out, err);
          } else {
            cost(pins, seconds, out);
          }
        }
        default -> {
          err.println("unknown command '" + a.get(0) + "'\n" + USAGE);
          return 2;
        }
      }
      return 0;
    } catch (RuntimeException | LinkageError e) {
      err.println("ebpf " + a.get(0) + ": " + e.getMessage());
      return 1;
    }
  }

  /**
   * The out-of-process end of a backend hand-over: removes every pod's filters and pins and the
   * node-wide pins under {@code root}, for an agent whose ebpf bundle is no longer running (the
   * agent runs this, as the backend advertised; see bundles/agent).
   */
  private static int release(Path root, PrintStream out, PrintStream err) {
    if (!Files.isDirectory(root)) {
      out.println("nothing to release: no netpol pins at " + root);
      return 0;
    }
    EbpfBackend b = new EbpfBackend(new EbpfBackend.Config(root, 0, 0));
    try {
      int pods = b.programmed().size();
      b.release();
      out.println("released " + pods + " pods and the node-wide pins under " + root);
      return 0;
    } catch (dev.netpol.api.EnforcementException e) {
      err.println("ebpf release: " + e.getMessage());
      return 1;
    } finally {
      b.close();
    }
  }

  /**
   * What the node's programs cost on live traffic: the kernel's run-time statistics on for {@code
   * seconds}, then per program the runs, the mean time per run and the share of one CPU.
   */
  private static void cost(Pins pins, int seconds, PrintStream out) {
    List<BpfProgram> progs = new ArrayList<>();
    try {
      for (String pin : List.of(Pins.PROG_INGRESS, Pins.PROG_EGRESS)) {
        if (Files.exists(pins.global(pin))) {
          progs.add(BpfProgram.openPinned(pins.global(pin)));
        }
      }
      List<ProgramCost> costs = ProgramCost.measure(progs, Duration.ofSeconds(seconds));
      out.println("PROGRAM\tPROG_ID\tRUNS\tRUNS_PER_S\tNS_PER_RUN\tCPU_PERCENT");
      for (int i = 0; i < progs.size(); i++) {
        ProgramCost c = costs.get(i);
        out.printf(
            "%s\t%d\t%d\t%.0f\t%.1f\t%.3f%n",
            progs.get(i).info().name(),
            progs.get(i).id(),
            c.runs(),
            c.runsPerSecond(),
            c.nsPerRun(),
            100 * c.cpuShare());
      }
    } finally {
      progs.forEach(BpfProgram::close);
    }
  }

  /** One row per pod and direction: the node's program its interface runs (one pair per node). */
  private static void progs(Pins pins, PrintStream out) {
    out.println("POD\tDIRECTION\tPROG_ID\tTAG\tPIN");
    PodDatapath pods = new PodDatapath(pins, null);
    var records = pods.records();
    for (String pin : List.of(Pins.PROG_INGRESS, Pins.PROG_EGRESS)) {
      Path p = pins.global(pin);
      if (!Files.exists(p)) {
        continue;
      }
      try (BpfProgram prog = BpfProgram.openPinned(p)) {
        TcFilters.Hook hook =
            pin.equals(Pins.PROG_INGRESS) ? TcFilters.Hook.EGRESS : TcFilters.Hook.INGRESS;
        String tag = prog.info().tag();
        for (var e : records.entrySet()) {
          int attached = TcFilters.attachedProgramId(e.getKey(), hook);
          out.println(
              PodDatapath.keyOf(e.getValue())
                  + "\t"
                  + pin.substring(5)
                  + "\t"
                  + prog.id()
                  + (attached == prog.id() ? "" : "(attached: " + attached + ")")
                  + "\t"
                  + tag
                  + "\t"
                  + p);
        }
      }
    }
  }

  private static void maps(Pins pins, PrintStream out) {
    out.println("MAP_ID\tTYPE\tKEY\tVALUE\tMAX\tNAME\tPIN");
    var records = new PodDatapath(pins, null).records();
    for (String name : Pins.OBJECT_MAPS) {
      Path p = pins.global(name);
      if (!Files.exists(p)) {
        continue;
      }
      try (BpfMap m = BpfMap.openPinned(p)) {
        out.println(row(m.info()) + "\t" + p);
        if (m.info().type().mapInMap()) {
          for (var e : records.entrySet()) {
            var innerId = m.innerMapId(PodDatapath.ifKey(e.getKey()));
            if (innerId.isPresent()) {
              try (BpfMap inner = BpfMap.fromId(innerId.getAsInt())) {
                out.println(
                    row(inner.info())
                        + "\t  rules of "
                        + PodDatapath.keyOf(e.getValue())
                        + " (if "
                        + e.getKey()
                        + ")");
              }
            }
          }
        }
      }
    }
  }

  private static String row(MapInfo i) {
    return i.id()
        + "\t"
        + i.type()
        + "\t"
        + i.keySize()
        + "\t"
        + i.valueSize()
        + "\t"
        + i.maxEntries()
        + "\t"
        + i.name();
  }

  private static void loaded(Pins pins, PrintStream out) {
    PodDatapath pods = new PodDatapath(pins, null);
    var node = pods.node();
    int[] ids = pods.programIds();
    if (node != null) {
      out.println(
          "# datapath "
              + node.objectDigest()
              + " loaded "
              + java.time.Instant.ofEpochMilli(node.loadedUnixMs())
              + " (once for the node; every pod runs these two programs)");
    }
    out.println(
        "POD\tINTERFACE\tINGRESS_PROG(tc egress)\tEGRESS_PROG(tc ingress)\tPOLICY\tGENERATION"
            + "\tRULES_MAP\tSTATUS");
    Path policy = pins.global(Pins.POLICY);
    for (var e : pods.records().entrySet()) {
      int ifindex = e.getKey();
      PodInfo i = e.getValue();
      int rules = 0;
      if (Files.exists(policy)) {
        try (BpfMap m = BpfMap.openPinned(policy)) {
          rules = m.innerMapId(PodDatapath.ifKey(ifindex)).orElse(0);
        }
      }
      int onEgress = TcFilters.attachedProgramId(ifindex, TcFilters.Hook.EGRESS);
      int onIngress = TcFilters.attachedProgramId(ifindex, TcFilters.Hook.INGRESS);
      boolean ok = onEgress == ids[0] && onIngress == ids[1] && ids[0] != 0 && rules != 0;
      out.println(
          PodDatapath.keyOf(i)
              + "\t"
              + i.ifname()
              + "("
              + ifindex
              + ")\t"
              + ids[0]
              + (onEgress == ids[0] ? "" : "!=" + onEgress)
              + "\t"
              + ids[1]
              + (onIngress == ids[1] ? "" : "!=" + onIngress)
              + "\t"
              + i.policyDigest()
              + "\t"
              + Integer.toUnsignedString(i.generation())
              + "\t"
              + (rules == 0 ? "MISSING" : rules)
              + "\t"
              + (ok ? "enforcing" : rules == 0 ? "NO-RULES" : "STALE-FILTER"));
    }
  }

  static void dumpMap(BpfMap m, PrintStream out) {
    try (m) {
      MapInfo i = m.info();
      out.println("# map " + i.id() + " " + i.name() + " type " + i.type());
      if (i.type() == MapType.RINGBUF) {
        out.println("(ring buffer: use `events`)");
        return;
      }
      for (BpfMap.Entry e : m.entries()) {
        out.println(
            i.type().mapInMap()
                ? "["
                    + Abi.wrap(e.key()).getInt()
                    + "] -> map id "
                    + m.innerMapId(e.key()).orElse(0)
                : decode(i, e.key(), e.value()));
      }
    }
  }

  private static String decode(MapInfo i, byte[] k, byte[] v) {
    if (i.name().startsWith("np_conntrack") && k.length == CtKey.LAYOUT.size()) {
      return CtKey.decode(k) + "  " + CtValue.decode(v);
    }
    if (i.name().startsWith("np_counters") && k.length == CounterKey.SIZE) {
      CounterKey c = CounterKey.decode(k);
      Counter sum = Counter.sumPerCpu(v);
      return "if="
          + c.ifindex()
          + " "
          + (c.direction() == Abi.DIR_INGRESS ? "ingress" : "egress")
          + " "
          + (c.verdict() == Abi.VERDICT_ALLOW ? "allow" : "deny")
          + " reason="
          + Abi.reason(c.reason())
          + " class="
          + c.classId()
          + " packets="
          + sum.packets()
          + " bytes="
          + sum.bytes();
    }
    if (i.name().startsWith("np_node") && v.length == NodeInfo.SIZE) {
      NodeInfo n = NodeInfo.decode(v);
      return "object=" + n.objectDigest() + " loaded_unix_ms=" + n.loadedUnixMs();
    }
    if (i.name().startsWith("np_pods") && v.length == PodInfo.SIZE) {
      PodInfo p = PodInfo.decode(v);
      return p.namespace()
          + "/"
          + p.name()
          + " if="
          + p.ifname()
          + "("
          + p.ifindex()
          + ") addrs="
          + p.addresses()
          + " policy="
          + p.policyDigest()
          + " generation="
          + Integer.toUnsignedString(p.generation());
    }
    if (i.type() == MapType.LPM_TRIE && k.length == RuleKey.LAYOUT.size()) {
      RuleValue r = RuleValue.decode(v);
      RuleKey key = RuleKey.decode(k);
      return key
          + switch (key.kind()) {
            case Abi.KEY_META ->
                " state=" + r.state() + " generation=" + Integer.toUnsignedString(r.generation());
            case Abi.KEY_ADDR ->
                " class="
                    + r.classId()
                    + ((r.flags() & Abi.ADDR_ALL_TRAFFIC) != 0 ? " all-traffic" : "");
            default -> " allow";
          };
    }
    return HexFormat.of().formatHex(k) + " -> " + HexFormat.of().formatHex(v);
  }

  /**
   * While an agent runs, it owns the ring buffer and passes every record on through its event tap;
   * with no agent, the ring buffer is read directly.
   */
  private static void events(Pins pins, int seconds, PrintStream out, PrintStream err) {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    try (java.nio.channels.SocketChannel tap = EventTap.connect(pins.root())) {
      if (tap != null) {
        var h = RootLock.holder(pins);
        err.println("reading the agent's event feed" + (h == null ? "" : " (" + h + ")"));
        readTap(tap, end, out, err);
        return;
      }
    } catch (java.io.IOException e) {
      err.println("event feed: " + e.getMessage());
      return;
    }
    try (BpfMap ev = BpfMap.openPinned(pins.global(Pins.EVENTS));
        RingBufferReader r =
            RingBufferReader.start(ev, Event.CODEC, e -> out.println(e.describe()))) {
      Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void readTap(
      java.nio.channels.SocketChannel tap, long end, PrintStream out, PrintStream err)
      throws java.io.IOException {
    tap.configureBlocking(false);
    java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(Event.SIZE);
    while (System.nanoTime() < end) {
      int n = tap.read(record);
      if (n < 0) {
        err.println("the agent closed the event feed (it stopped, or this reader fell behind)");
        return;
      }
      if (!record.hasRemaining()) {
        out.println(Event.decode(record.array()).describe());
        record.clear();
      } else if (n == 0) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
