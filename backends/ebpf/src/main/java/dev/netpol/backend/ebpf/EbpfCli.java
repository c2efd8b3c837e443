package dev.netpol.backend.ebpf;

import dev.netpol.api.PodKey;
import dev.netpol.backend.ebpf.internal.Pins;
import dev.netpol.backend.ebpf.internal.TcFilters;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.abi.CtKey;
import dev.netpol.backend.ebpf.internal.abi.CtValue;
import dev.netpol.backend.ebpf.internal.abi.Event;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Operator commands that read the pins directly, so they work while the agent is down: {@code
 * [--root DIR] progs | maps | loaded | dump-map ID | conntrack | events [SECONDS]}.
 */
public final class EbpfCli {
  private static final String USAGE =
      "usage: ebpf [--root DIR] progs | maps | loaded | dump-map ID | conntrack | events [SECONDS]"
          + " | release";

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
        && List.of("progs", "loaded", "conntrack", "events").contains(a.get(0))) {
      // a node with no pod has no pins yet: not an error, but a mistyped --root should be visible
      err.println(
          "note: no netpol pins at " + root + " (no pod programmed here yet, or a wrong --root)");
    }
    try {
      switch (a.get(0)) {
        case "progs" -> progs(pins, out);
        case "maps" -> maps(pins, out);
        case "loaded" -> loaded(pins, out);
        case "dump-map" -> {
          if (a.size() < 2 || !a.get(1).matches("\\d+")) {
            err.println("dump-map needs a numeric map id (see `maps`)");
            return 2;
          }
          dumpMap(BpfMap.fromId(Integer.parseInt(a.get(1))), out);
        }
        case "conntrack" -> dumpMap(BpfMap.openPinned(pins.global(Pins.CONNTRACK)), out);
        case "release" -> {
          return release(root, out, err);
        }
        case "events" -> {
          if (a.size() > 1 && !a.get(1).matches("[1-9]\\d{0,4}")) {
            err.println("events takes a number of seconds (1..99999), got '" + a.get(1) + "'");
            return 2;
          }
          events(pins, a.size() > 1 ? Integer.parseInt(a.get(1)) : 5, out);
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

  private static void progs(Pins pins, PrintStream out) {
    out.println("POD\tDIRECTION\tPROG_ID\tTAG\tPIN");
    for (PodKey k : pins.pods()) {
      for (String pin : List.of(Pins.PROG_INGRESS, Pins.PROG_EGRESS)) {
        Path p = pins.podDir(k).resolve(pin);
        if (Files.exists(p)) {
          try (BpfProgram prog = BpfProgram.openPinned(p)) {
            out.println(
                k
                    + "\t"
                    + pin.substring(5)
                    + "\t"
                    + prog.id()
                    + "\t"
                    + prog.info().tag()
                    + "\t"
                    + p);
          }
        }
      }
    }
  }

  private static void maps(Pins pins, PrintStream out) {
    out.println("MAP_ID\tTYPE\tKEY\tVALUE\tMAX\tNAME\tPIN");
    List<Path> paths =
        new ArrayList<>(List.of(pins.global(Pins.CONNTRACK), pins.global(Pins.EVENTS)));
    for (PodKey k : pins.pods()) {
      paths.add(pins.podDir(k).resolve(Pins.POLICY));
      paths.add(pins.podDir(k).resolve(Pins.POD));
    }
    for (Path p : paths) {
      if (!Files.exists(p)) {
        continue;
      }
      try (BpfMap m = BpfMap.openPinned(p)) {
        MapInfo i = m.info();
        out.println(
            i.id()
                + "\t"
                + i.type()
                + "\t"
                + i.keySize()
                + "\t"
                + i.valueSize()
                + "\t"
                + i.maxEntries()
                + "\t"
                + i.name()
                + "\t"
                + p);
        if (i.type() == MapType.ARRAY_OF_MAPS) {
          for (int d = 0; d < 2; d++) {
            var innerId = m.innerMapId(Abi.buffer(4).putInt(d).array());
            if (innerId.isPresent()) {
              try (BpfMap inner = BpfMap.fromId(innerId.getAsInt())) {
                MapInfo ii = inner.info();
                out.println(
                    ii.id()
                        + "\t"
                        + ii.type()
                        + "\t"
                        + ii.keySize()
                        + "\t"
                        + ii.valueSize()
                        + "\t"
                        + ii.maxEntries()
                        + "\t"
                        + ii.name()
                        + "\t  "
                        + (d == Abi.DIR_INGRESS ? "ingress" : "egress")
                        + " rules of "
                        + p.getParent());
              }
            }
          }
        }
      }
    }
  }

  private static void loaded(Pins pins, PrintStream out) {
    out.println(
        "POD\tINTERFACE\tINGRESS_PROG(tc egress)\tEGRESS_PROG(tc ingress)\tPOLICY\tGENERATION\tSTATUS");
    for (PodKey k : pins.pods()) {
      Path dir = pins.podDir(k);
      try (BpfMap m = BpfMap.openPinned(dir.resolve(Pins.POD));
          BpfProgram in = BpfProgram.openPinned(dir.resolve(Pins.PROG_INGRESS));
          BpfProgram eg = BpfProgram.openPinned(dir.resolve(Pins.PROG_EGRESS))) {
        PodInfo i = PodInfo.decode(m.get(new byte[4]).orElseThrow());
        int onEgress = TcFilters.attachedProgramId(i.ifindex(), TcFilters.Hook.EGRESS);
        int onIngress = TcFilters.attachedProgramId(i.ifindex(), TcFilters.Hook.INGRESS);
        boolean ok = onEgress == in.id() && onIngress == eg.id();
        out.println(
            k
                + "\t"
                + i.ifname()
                + "("
                + i.ifindex()
                + ")\t"
                + in.id()
                + (onEgress == in.id() ? "" : "!=" + onEgress)
                + "\t"
                + eg.id()
                + (onIngress == eg.id() ? "" : "!=" + onIngress)
                + "\t"
                + i.policyDigest()
                + "\t"
                + Integer.toUnsignedString(i.generation())
                + "\t"
                + (ok ? "enforcing" : "STALE-FILTER"));
      }
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
            i.type() == MapType.ARRAY_OF_MAPS
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
    if (i.name().startsWith("np_pod") && v.length == PodInfo.SIZE) {
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
          + " object="
          + p.objectDigest()
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

  private static void events(Pins pins, int seconds, PrintStream out) {
    try (BpfMap ev = BpfMap.openPinned(pins.global(Pins.EVENTS));
        RingBufferReader r =
            RingBufferReader.start(ev, Event.CODEC, e -> out.println(e.describe()))) {
      Thread.sleep(seconds * 1000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
