package dev.netpol.backend.ebpf;

import dev.netpol.api.PodKey;
import dev.netpol.backend.ebpf.internal.Pins;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.abi.CtKey;
import dev.netpol.backend.ebpf.internal.abi.CtValue;
import dev.netpol.backend.ebpf.internal.abi.Event;
import dev.netpol.backend.ebpf.internal.abi.PodInfo;
import dev.netpol.backend.ebpf.internal.abi.RuleKey;
import dev.netpol.backend.ebpf.internal.abi.RuleValue;
import dev.netpol.backend.ebpf.internal.kernel.BpfMap;
import dev.netpol.backend.ebpf.internal.kernel.BpfProgram;
import dev.netpol.backend.ebpf.internal.kernel.Libbpf;
import dev.netpol.backend.ebpf.internal.kernel.Tc;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Operator commands that read the pins directly, so they work while the agent is down:
 * {@code [--root DIR] progs | maps | loaded | dump-map ID | conntrack | events [SECONDS]}.
 */
public final class EbpfCli {
  private static final String USAGE =
      "usage: ebpf [--root DIR] progs | maps | loaded | dump-map ID | conntrack | events [SECONDS]";

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
          dumpMap(BpfMap.openById(Integer.parseInt(a.get(1))), out);
        }
        case "conntrack" -> dumpMap(BpfMap.openPinned(pins.global(Pins.CONNTRACK).toString()), out);
        case "events" -> events(pins, a.size() > 1 ? Integer.parseInt(a.get(1)) : 5, out);
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

  private static void progs(Pins pins, PrintStream out) {
    out.println("POD\tDIRECTION\tPROG_ID\tTAG\tPIN");
    for (PodKey k : pins.pods()) {
      for (String pin : List.of(Pins.PROG_INGRESS, Pins.PROG_EGRESS)) {
        Path p = pins.podDir(k).resolve(pin);
        if (Files.exists(p)) {
          try (BpfProgram prog = BpfProgram.openPinned(p.toString())) {
            out.println(k + "\t" + pin.substring(5) + "\t" + prog.info().id() + "\t" + prog.info().tag() + "\t" + p);
          }
        }
      }
    }
  }

  private static void maps(Pins pins, PrintStream out) {
    out.println("MAP_ID\tTYPE\tKEY\tVALUE\tMAX\tNAME\tPIN");
    List<Path> paths = new ArrayList<>(List.of(pins.global(Pins.CONNTRACK), pins.global(Pins.EVENTS)));
    for (PodKey k : pins.pods()) {
      paths.add(pins.podDir(k).resolve(Pins.POLICY));
      paths.add(pins.podDir(k).resolve(Pins.POD));
    }
    for (Path p : paths) {
      if (!Files.exists(p)) {
        continue;
      }
      try (BpfMap m = BpfMap.openPinned(p.toString())) {
        BpfMap.Info i = m.info();
        out.println(i.id() + "\t" + i.type() + "\t" + i.keySize() + "\t" + i.valueSize() + "\t" + i.maxEntries() + "\t" + i.name() + "\t" + p);
        if (i.type() == Libbpf.BPF_MAP_TYPE_ARRAY_OF_MAPS) {
          for (int d = 0; d < 2; d++) {
            byte[] v = m.lookup(Abi.buffer(4).putInt(d).array());
            if (v != null) {
              try (BpfMap inner = BpfMap.openById(Abi.wrap(v).getInt())) {
                BpfMap.Info ii = inner.info();
                out.println(ii.id() + "\t" + ii.type() + "\t" + ii.keySize() + "\t" + ii.valueSize() + "\t" + ii.maxEntries()
                    + "\t" + ii.name() + "\t  " + (d == Abi.DIR_INGRESS ? "ingress" : "egress") + " rules of " + p.getParent());
              }
            }
          }
        }
      }
    }
  }

  private static void loaded(Pins pins, PrintStream out) {
    out.println("POD\tINTERFACE\tINGRESS_PROG(tc egress)\tEGRESS_PROG(tc ingress)\tPOLICY\tGENERATION\tSTATUS");
    for (PodKey k : pins.pods()) {
      Path dir = pins.podDir(k);
      try (BpfMap m = BpfMap.openPinned(dir.resolve(Pins.POD).toString());
          BpfProgram in = BpfProgram.openPinned(dir.resolve(Pins.PROG_INGRESS).toString());
          BpfProgram eg = BpfProgram.openPinned(dir.resolve(Pins.PROG_EGRESS).toString())) {
        PodInfo i = PodInfo.decode(m.lookup(new byte[4]));
        int onEgress = Tc.attachedProgramId(i.ifindex(), Tc.Hook.EGRESS);
        int onIngress = Tc.attachedProgramId(i.ifindex(), Tc.Hook.INGRESS);
        boolean ok = onEgress == in.info().id() && onIngress == eg.info().id();
        out.println(k + "\t" + i.ifname() + "(" + i.ifindex() + ")\t" + in.info().id() + (onEgress == in.info().id() ? "" : "!=" + onEgress)
            + "\t" + eg.info().id() + (onIngress == eg.info().id() ? "" : "!=" + onIngress) + "\t" + i.policyDigest() + "\t"
            + Integer.toUnsignedString(i.generation()) + "\t" + (ok ? "enforcing" : "STALE-FILTER"));
      }
    }
  }

  static void dumpMap(BpfMap m, PrintStream out) {
    try (m) {
      BpfMap.Info i = m.info();
      out.println("# map " + i.id() + " " + i.name() + " type " + i.type());
      if (i.type() == Libbpf.BPF_MAP_TYPE_RINGBUF) {
        out.println("(ring buffer: use `events`)");
        return;
      }
      m.forEach((k, v) -> out.println(decode(i, k, v)));
    }
  }

  private static String decode(BpfMap.Info i, byte[] k, byte[] v) {
    if (i.name().startsWith("np_conntrack") && k.length == CtKey.LAYOUT.size()) {
      return CtKey.decode(k) + "  " + CtValue.decode(v);
    }
    if (i.name().startsWith("np_pod") && v.length == PodInfo.SIZE) {
      PodInfo p = PodInfo.decode(v);
      return p.namespace() + "/" + p.name() + " if=" + p.ifname() + "(" + p.ifindex() + ") addrs=" + p.addresses()
          + " policy=" + p.policyDigest() + " object=" + p.objectDigest() + " generation=" + Integer.toUnsignedString(p.generation());
    }
    if (i.type() == Libbpf.BPF_MAP_TYPE_LPM_TRIE && k.length == RuleKey.LAYOUT.size()) {
      RuleValue r = RuleValue.decode(v);
      RuleKey key = RuleKey.decode(k);
      return key + switch (key.kind()) {
        case Abi.KEY_META -> " state=" + r.state() + " generation=" + Integer.toUnsignedString(r.generation());
        case Abi.KEY_ADDR -> " class=" + r.classId() + ((r.flags() & Abi.ADDR_ALL_TRAFFIC) != 0 ? " all-traffic" : "");
        default -> " allow";
      };
    }
    if (i.type() == Libbpf.BPF_MAP_TYPE_ARRAY_OF_MAPS) {
      return "[" + Abi.wrap(k).getInt() + "] -> map " + Abi.wrap(v).getInt();
    }
    return HexFormat.of().formatHex(k) + " -> " + HexFormat.of().formatHex(v);
  }

  private static void events(Pins pins, int seconds, PrintStream out) {
    BpfMap ev = BpfMap.openPinned(pins.global(Pins.EVENTS).toString());
    Libbpf.SampleCallback cb = (ctx, data, size) -> {
      byte[] raw = new byte[Event.SIZE];
      data.get(0, raw, 0, (int) Math.min(size, Event.SIZE));
      out.println(Event.decode(raw).describe());
      return 0;
    };
    var ring = Libbpf.LIB.ring_buffer__new(ev.fd(), cb, null, null);
    try {
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        Libbpf.LIB.ring_buffer__poll(ring, 200);
      }
    } finally {
      Libbpf.LIB.ring_buffer__free(ring);
      ev.close();
    }
  }
}
