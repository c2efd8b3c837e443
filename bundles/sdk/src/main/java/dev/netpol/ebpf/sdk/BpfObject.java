package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.LibBpf;
import dev.netpol.ebpf.sdk.internal.LibbpfLog;
import dev.netpol.ebpf.sdk.internal.Native;
import dev.netpol.ebpf.sdk.internal.Structs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BPF ELF object, opened and loaded in two phases like libbpf: {@link #open} parses the file;
 * between open and {@link #load} the caller may set pin paths, inner maps and sizes; load creates
 * (or reuses pinned) maps and runs every program through the verifier. A failed load throws a
 * {@link BpfException} carrying the verifier log of the failing program.
 *
 * <pre>{@code
 * try (BpfObject obj = BpfObject.open(path, BpfObjectOptions.defaults().withReusePinnedMaps(true)).load()) {
 *     BpfProgram ingress = obj.program("netpol_ingress");
 *     TypedMap<RuleKey, Verdict> rules = obj.map("ingress_rules").typed(RuleKey.CODEC, Verdict.CODEC);
 * }
 * }</pre>
 *
 * Closing the object closes all its program and map fds (pins and tc attachments stay). Not
 * thread-safe while opening/loading; the {@link BpfMap} and {@link BpfProgram} handles it hands out
 * may be used from any thread.
 */
public final class BpfObject implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BpfObject.class);

  /** The path, or "name (N bytes)" for an object opened from memory: how messages name it. */
  private final String source;

  private final Path file;
  private final BpfObjectOptions options;
  private final Pointer obj;
  private final Map<String, Pointer> mapPtrs = new LinkedHashMap<>();
  private final Map<String, Pointer> progPtrs = new LinkedHashMap<>();
  private final Map<String, BpfMap> maps = new LinkedHashMap<>();
  private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
  private final Map<String, Path> pinPaths = new LinkedHashMap<>();

  /** Native memory libbpf points into until close (ELF image, option strings). */
  private Pointer[] keepAlive;

  private boolean loaded;
  private boolean closed;

  private BpfObject(String source, Path file, BpfObjectOptions options, Pointer obj) {
    this.source = source;
    this.file = file;
    this.options = options;
    this.obj = obj;
    LibBpf bpf = Native.bpf();
    for (Pointer m = bpf.bpf_object__next_map(obj, null);
        m != null;
        m = bpf.bpf_object__next_map(obj, m)) {
      mapPtrs.put(bpf.bpf_map__name(m), m);
    }
    for (Pointer p = bpf.bpf_object__next_program(obj, null);
        p != null;
        p = bpf.bpf_object__next_program(obj, p)) {
      progPtrs.put(bpf.bpf_program__name(p), p);
    }
  }

  public static BpfObject open(Path file) {
    return open(file, BpfObjectOptions.defaults());
  }

  /** Parses the ELF file and applies the pin options; nothing reaches the kernel yet. */
  public static BpfObject open(Path file, BpfObjectOptions options) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("BPF object " + file + " does not exist or is not a file");
    }
    Pointer opts = Native.opts(Structs.OPEN_OPTS_SIZE);
    // libbpf keeps the pointer until close: hold the string in memory owned by the object
    Pointer pinRoot = cString(options.pinRoot().toString());
    opts.putLong(Structs.OPEN_OPTS_PIN_ROOT_PATH, pinRoot.address());
    Pointer obj = Native.bpf().bpf_object__open_file(file.toString(), opts);
    if (obj == null) {
      throw new BpfException("bpf_object__open_file", "object " + file, Native.lastErrno());
    }
    return prepare(new BpfObject(file.toString(), file, options, obj), options, pinRoot);
  }

  /**
   * Opens an object from its ELF bytes, e.g. a resource of the netpol-bpf jar; {@code name} names
   * it in messages (libbpf's object_name).
   */
  public static BpfObject open(String name, byte[] elf, BpfObjectOptions options) {
    Pointer opts = Native.opts(Structs.OPEN_OPTS_SIZE);
    Pointer pinRoot = cString(options.pinRoot().toString());
    Pointer objectName = cString(name);
    opts.putLong(Structs.OPEN_OPTS_OBJECT_NAME, objectName.address());
    opts.putLong(Structs.OPEN_OPTS_PIN_ROOT_PATH, pinRoot.address());
    // libbpf reads the ELF image until load: it lives as long as the object
    Pointer image = Native.allocate(Math.max(1, elf.length));
    image.put(0, elf, 0, elf.length);
    String source = name + " (" + elf.length + " bytes)";
    Pointer obj = Native.bpf().bpf_object__open_mem(image, elf.length, opts);
    if (obj == null) {
      throw new BpfException("bpf_object__open_mem", "object " + source, Native.lastErrno());
    }
    return prepare(new BpfObject(source, null, options, obj), options, image, pinRoot, objectName);
  }

  private static BpfObject prepare(BpfObject o, BpfObjectOptions options, Pointer... keepAlive) {
    o.keepAlive = keepAlive;
    try {
      for (Map.Entry<String, Path> e : options.mapPins().entrySet()) {
        o.setPinPath(e.getKey(), e.getValue());
      }
      if (options.reusePinnedMaps()) {
        Pins pins = new Pins(options.pinRoot());
        for (String name : o.mapPtrs.keySet()) {
          if (!name.contains(".") && !options.mapPins().containsKey(name)) {
            o.setPinPath(name, pins.path(name));
          }
        }
      }
    } catch (RuntimeException e) {
      o.close();
      throw e;
    }
    return o;
  }

  /** The libbpf {@code struct bpf_object *}, for SDK classes that read its BTF. */
  Pointer handle() {
    ensureOpen();
    return obj;
  }

  private static Pointer cString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    Pointer p = Native.allocate(b.length + 1);
    p.put(0, b, 0, b.length);
    return p;
  }

  // ---- before load

  /** Pins (or reuses the pin of) map {@code mapName} at {@code pin} when loading. */
  public BpfObject setPinPath(String mapName, Path pin) {
    Pointer m = openedMap(mapName);
    int rc = Native.bpf().bpf_map__set_pin_path(m, pin.toString());
    BpfException.check(rc, "bpf_map__set_pin_path " + pin, describeMap(mapName));
    pinPaths.put(mapName, pin);
    return this;
  }

  /** Uses {@code inner} as the inner-map template of map-in-map {@code mapName}. */
  public BpfObject setInnerMap(String mapName, BpfMap inner) {
    int rc = Native.bpf().bpf_map__set_inner_map_fd(openedMap(mapName), inner.fd());
    BpfException.check(
        rc, "bpf_map__set_inner_map_fd (" + inner.describe() + ")", describeMap(mapName));
    return this;
  }

  /** Overrides max_entries of {@code mapName}. */
  public BpfObject setMaxEntries(String mapName, int maxEntries) {
    int rc = Native.bpf().bpf_map__set_max_entries(openedMap(mapName), maxEntries);
    BpfException.check(rc, "bpf_map__set_max_entries " + maxEntries, describeMap(mapName));
    return this;
  }

  private Pointer openedMap(String mapName) {
    if (loaded) {
      throw new IllegalStateException(
          "object "
              + source
              + " is already loaded: map '"
              + mapName
              + "' can no longer be changed");
    }
    ensureOpen();
    Pointer m = mapPtrs.get(mapName);
    if (m == null) {
      throw new IllegalArgumentException(
          "object " + source + " has no map '" + mapName + "' (maps: " + mapPtrs.keySet() + ")");
    }
    return m;
  }

  private String describeMap(String name) {
    return "map '" + name + "' of object " + source;
  }

  // ---- load

  /** Creates maps and loads every program; returns this. */
  public BpfObject load() {
    ensureOpen();
    if (loaded) {
      throw new IllegalStateException("object " + source + " is already loaded");
    }
    LibBpf bpf = Native.bpf();
    // pin paths set by us or by LIBBPF_PIN_BY_NAME in the C source: libbpf does not mkdir
    for (Map.Entry<String, Pointer> e : mapPtrs.entrySet()) {
      String pin = bpf.bpf_map__pin_path(e.getValue());
      if (pin != null) {
        pinPaths.put(e.getKey(), Path.of(pin));
      }
    }
    for (Path p : pinPaths.values()) {
      new Pins(p.getParent()).ensureRoot();
    }
    Map<String, Pointer> logs = new LinkedHashMap<>();
    for (Map.Entry<String, Pointer> e : progPtrs.entrySet()) {
      Pointer buf = Native.allocate(options.logSize());
      BpfException.check(
          bpf.bpf_program__set_log_buf(e.getValue(), buf, options.logSize()),
          "bpf_program__set_log_buf",
          "program '" + e.getKey() + "' of object " + source);
      logs.put(e.getKey(), buf);
    }
    LibbpfLog.takeWarnings();
    int rc = bpf.bpf_object__load(obj);
    if (rc < 0) {
      // libbpf retries a failed program with log level 1 into our buffer; only that one has text
      String failed = null;
      String log = "";
      for (Map.Entry<String, Pointer> e : logs.entrySet()) {
        String text = e.getValue().getString(0, options.logSize(), StandardCharsets.UTF_8);
        if (!text.isBlank()) {
          failed = e.getKey();
          log = text;
        }
      }
      // a map that failed to be created is named only in libbpf's log
      List<String> said = LibbpfLog.takeWarnings();
      String target =
          "object "
              + source
              + (failed != null
                  ? " (program '" + failed + "')"
                  : said.isEmpty() ? "" : " (libbpf: " + String.join("; ", said) + ")");
      LOG.warn("load of {} failed: {}", target, rc);
      throw new BpfException("bpf_object__load", target, -rc, log);
    }
    loaded = true;
    for (Map.Entry<String, Pointer> e : mapPtrs.entrySet()) {
      int fd = bpf.bpf_map__fd(e.getValue());
      if (fd >= 0) {
        maps.put(e.getKey(), new BpfMap(fd, false, e.getKey(), pinPaths.get(e.getKey())));
      }
    }
    for (Map.Entry<String, Pointer> e : progPtrs.entrySet()) {
      int fd = bpf.bpf_program__fd(e.getValue());
      if (fd >= 0) {
        programs.put(e.getKey(), new BpfProgram(fd, false, e.getKey(), null));
      }
    }
    LOG.info("loaded {}: programs {}, maps {}", source, programs.keySet(), maps.keySet());
    return this;
  }

  // ---- after load

  public BpfProgram program(String name) {
    ensureLoaded();
    BpfProgram p = programs.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "object "
              + source
              + " has no program '"
              + name
              + "' (programs: "
              + programs.keySet()
              + ")");
    }
    return p;
  }

  public BpfMap map(String name) {
    ensureLoaded();
    BpfMap m = maps.get(name);
    if (m == null) {
      throw new IllegalArgumentException(
          "object " + source + " has no map '" + name + "' (maps: " + maps.keySet() + ")");
    }
    return m;
  }

  public List<BpfProgram> programs() {
    ensureLoaded();
    return new ArrayList<>(programs.values());
  }

  public List<BpfMap> maps() {
    ensureLoaded();
    return new ArrayList<>(maps.values());
  }

  /** Map names as written in the object (including .data/.bss/.rodata), known right after open. */
  public List<String> mapNames() {
    return new ArrayList<>(mapPtrs.keySet());
  }

  public List<String> programNames() {
    return new ArrayList<>(progPtrs.keySet());
  }

  /** The file it was opened from; empty for objects opened from memory. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** How messages name this object: its path, or "name (N bytes)". */
  public String source() {
    return source;
  }

  public boolean loaded() {
    return loaded;
  }

  private void ensureLoaded() {
    ensureOpen();
    if (!loaded) {
      throw new IllegalStateException("object " + source + " is not loaded yet: call load()");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("object " + source + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    maps.values().forEach(BpfMap::markClosed);
    programs.values().forEach(BpfProgram::markClosed);
    Native.bpf().bpf_object__close(obj);
    keepAlive = null;
  }

  @Override
  public String toString() {
    return "BPF object " + source + (loaded ? " (loaded)" : " (opened)");
  }
}
