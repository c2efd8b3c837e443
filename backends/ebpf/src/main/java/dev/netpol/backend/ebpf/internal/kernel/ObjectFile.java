package dev.netpol.backend.ebpf.internal.kernel;

import static dev.netpol.backend.ebpf.internal.kernel.Libbpf.LIB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * One opened (and then loaded) BPF ELF object. Maps given a pin path are reused from the pin if it
 * exists and created and pinned there otherwise (libbpf's pin_path semantics), which is how every
 * per-pod load shares the node-wide maps and how a program upgrade keeps the pod's rule maps.
 */
public final class ObjectFile implements AutoCloseable {
  private static final int LOG_SIZE = 1 << 20;
  private final Pointer obj;
  private final String path;

  private ObjectFile(Pointer obj, String path) {
    this.obj = obj;
    this.path = path;
  }

  public static ObjectFile open(Path file) {
    Pointer obj = LIB.bpf_object__open_file(file.toString(), null);
    if (obj == null) {
      throw new BpfException("open BPF object " + file, Libbpf.RUNTIME.getLastError());
    }
    return new ObjectFile(obj, file.toString());
  }

  /** Loads every program and map; map pin paths by map name. Verifier output goes into the error. */
  public void load(Map<String, String> mapPins, List<String> programs) {
    mapPins.forEach((map, pin) -> BpfException.check(LIB.bpf_map__set_pin_path(mapPtr(map), pin), "set pin path " + map));
    Pointer log = Memory.allocateDirect(Libbpf.RUNTIME, LOG_SIZE, true);
    for (String p : programs) {
      Pointer prog = progPtr(p);
      LIB.bpf_program__set_log_buf(prog, log, LOG_SIZE);
      LIB.bpf_program__set_log_level(prog, 1);
    }
    int rc = LIB.bpf_object__load(obj);
    if (rc < 0) {
      byte[] b = new byte[LOG_SIZE];
      log.get(0, b, 0, LOG_SIZE);
      String text = BpfMap.cString(b);
      if (text.length() > 4000) {
        text = "..." + text.substring(text.length() - 4000);
      }
      throw new BpfException("load " + path + " (verifier log follows)", -rc, text);
    }
  }

  /** A new fd for the program (the object keeps its own until close). */
  public BpfProgram program(String name) {
    return BpfProgram.adopt(dup(LIB.bpf_program__fd(progPtr(name)), "program " + name));
  }

  /** A new fd for the map (the object keeps its own until close). */
  public BpfMap map(String name) {
    return BpfMap.adopt(dup(LIB.bpf_map__fd(mapPtr(name)), "map " + name), name);
  }

  public Pointer btf() {
    return LIB.bpf_object__btf(obj);
  }

  private static int dup(int fd, String what) {
    BpfException.check(fd, "fd of " + what);
    return BpfException.check(LIB.dup(fd), "dup fd of " + what);
  }

  private Pointer progPtr(String name) {
    Pointer p = LIB.bpf_object__find_program_by_name(obj, name);
    if (p == null) {
      throw new IllegalArgumentException(path + " has no program " + name);
    }
    return p;
  }

  private Pointer mapPtr(String name) {
    Pointer p = LIB.bpf_object__find_map_by_name(obj, name);
    if (p == null) {
      throw new IllegalArgumentException(path + " has no map " + name);
    }
    return p;
  }

  @Override
  public void close() {
    LIB.bpf_object__close(obj);
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
