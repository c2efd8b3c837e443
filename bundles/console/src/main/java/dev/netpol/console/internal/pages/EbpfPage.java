package dev.netpol.console.internal.pages;

import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.BpfProgram;
import dev.netpol.ebpf.sdk.Introspection;
import dev.netpol.ebpf.sdk.MapDump;
import dev.netpol.ebpf.sdk.MapInfo;
import dev.netpol.ebpf.sdk.ProgramInfo;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * eBPF programs and maps on this node through the SDK, with the pin path of each of netpol's
 * objects; {@code ?map=ID} dumps one map (keys and values in hex).
 */
public final class EbpfPage extends Page {
  static final int MAX_ROWS = 500;
  private final Supplier<Path> pinRoot;

  public EbpfPage(Tokens tokens, Supplier<Path> pinRoot) {
    super("netpol-ebpf", "eBPF", tokens);
    this.pinRoot = pinRoot;
  }

  static boolean ours(String name) {
    return name.startsWith("netpol") || name.startsWith("np_");
  }

  @Override
  protected void render(HttpServletRequest req, Html h) {
    String map = param(req, "map");
    if (!map.isEmpty()) {
      dump(req, h, map);
      return;
    }
    boolean all = param(req, "all").equals("1");
    List<ProgramInfo> progs;
    List<MapInfo> maps;
    try {
      progs = Introspection.programs();
      maps = Introspection.maps();
    } catch (RuntimeException | LinkageError e) {
      h.error("BPF objects cannot be listed here: " + e.getMessage());
      return;
    }
    Map<Integer, String> pins = pins();
    List<ProgramInfo> shownProgs = progs.stream().filter(p -> all || ours(p.name())).toList();
    List<MapInfo> shownMaps = maps.stream().filter(m -> all || ours(m.name())).toList();
    h.statline(
        shownProgs.size()
            + " programs and "
            + shownMaps.size()
            + " maps"
            + (all ? " on this node" : " of netpol")
            + " ("
            + progs.size()
            + " and "
            + maps.size()
            + " on the node) · pins under "
            + pinRoot.get());
    h.raw("<p>")
        .raw(
            all
                ? Html.link(self(req), "show netpol's only")
                : Html.link(self(req) + "?all=1", "show every program and map of the node"))
        .raw("</p>");
    h.h2("Programs");
    h.table("netpol-programs", List.of("Id", "Name", "Type", "Tag", "Maps", "Pinned at"));
    for (ProgramInfo p : shownProgs) {
      h.row(
          List.of(
              String.valueOf(p.id()),
              Html.esc(p.name()),
              p.type() == ProgramInfo.TYPE_SCHED_CLS ? "sched_cls (tc)" : String.valueOf(p.type()),
              Html.esc(p.tag()),
              p.mapIds().stream()
                  .map(id -> Html.link(self(req) + "?map=" + id, id))
                  .collect(Collectors.joining(" ")),
              Html.esc(pins.getOrDefault(-p.id(), ""))));
    }
    h.end();
    h.h2("Maps");
    h.table(
        "netpol-maps",
        List.of("Id", "Name", "Type", "Key", "Value", "Max entries", "Pinned at", ""));
    for (MapInfo m : shownMaps) {
      h.row(
          List.of(
              String.valueOf(m.id()),
              Html.esc(m.name()),
              Html.esc(m.type()),
              m.keySize() + " B",
              m.valueSize() + " B",
              String.valueOf(m.maxEntries()),
              Html.esc(pins.getOrDefault(m.id(), "")),
              Html.link(self(req) + "?map=" + m.id(), "dump")));
    }
    h.end();
  }

  private void dump(HttpServletRequest req, Html h, String id) {
    h.raw("<p>").raw(Html.link(self(req), "← programs and maps")).raw("</p>");
    int mapId;
    try {
      mapId = Integer.parseInt(id);
    } catch (NumberFormatException e) {
      h.error("'" + id + "' is not a map id");
      return;
    }
    MapDump d;
    try {
      d = Introspection.dump(mapId);
    } catch (RuntimeException | LinkageError e) {
      h.error("map " + mapId + " cannot be dumped: " + e.getMessage());
      return;
    }
    h.h2("Map " + d.map().name() + " (id " + mapId + ")");
    h.statline(
        d.map()
            + " · "
            + d.entries().size()
            + " entries"
            + (d.entries().size() > MAX_ROWS ? ", the first " + MAX_ROWS + " shown" : "")
            + Optional.ofNullable(pins().get(mapId)).map(p -> " · pinned at " + p).orElse(""));
    h.table("netpol-map-dump", List.of("#", "Key", "Value"));
    int i = 0;
    for (MapDump.Entry e : d.entries()) {
      if (i >= MAX_ROWS) {
        break;
      }
      h.row(
          List.of(
              String.valueOf(++i),
              "<code class='netpol'>" + Html.esc(e.keyText()) + "</code>",
              "<code class='netpol'>" + Html.esc(e.valueText()) + "</code>"));
    }
    h.end();
    h.note(
        "Layouts: bpf/include/netpol_abi.h; `netpol ebpf dump-map "
            + mapId
            + "` decodes netpol's maps.");
  }

  /** A map-in-map key: a little-endian u32 slot for arrays, hex otherwise. */
  private static String slot(byte[] k) {
    return k.length == 4
        ? String.valueOf(
            java.nio.ByteBuffer.wrap(k).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt())
        : java.util.HexFormat.of().formatHex(k);
  }

  /**
   * Pin path of every object under the pin root (map ids as they are, program ids negated); an
   * inner map shows as its outer map's path with the slot.
   */
  private Map<Integer, String> pins() {
    Map<Integer, String> out = new HashMap<>();
    Path root = pinRoot.get();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(root, 6)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = "/" + root.relativize(p);
        try (BpfMap m = BpfMap.openPinned(p)) {
          out.put(m.id(), rel);
          if (m.type().mapInMap()) {
            for (byte[] k : m.keys()) {
              m.innerMapId(k).ifPresent(inner -> out.put(inner, rel + "[" + slot(k) + "]"));
            }
          }
          continue;
        } catch (RuntimeException notAMap) {
          // a program pin
        }
        try (BpfProgram prog = BpfProgram.openPinned(p)) {
          out.put(-prog.id(), rel);
        } catch (RuntimeException ignored) {
          // neither (a link, or gone meanwhile)
        }
      }
    } catch (IOException | RuntimeException e) {
      // pins are decoration; the lists stand without them
    }
    return out;
  }
}
