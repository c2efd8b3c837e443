package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Hex;
import dev.netpol.ebpf.sdk.internal.Info;
import dev.netpol.ebpf.sdk.internal.Native;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.byref.IntByReference;

/**
 * Every program and map on the node (not only ours), as bpftool shows them, and dumps of any map.
 * Needs CAP_SYS_ADMIN. Objects that vanish while listing are skipped.
 */
public final class Introspection {
  private static final int ENOENT = 2;

  private Introspection() {}

  public static List<ProgramInfo> programs() {
    List<ProgramInfo> out = new ArrayList<>();
    for (int id : ids(true)) {
      program(id).ifPresent(out::add);
    }
    return out;
  }

  public static List<MapInfo> maps() {
    List<MapInfo> out = new ArrayList<>();
    for (int id : ids(false)) {
      map(id).ifPresent(out::add);
    }
    return out;
  }

  /** The program with this id, empty if there is none (any more). */
  public static Optional<ProgramInfo> program(int id) {
    int fd = Native.bpf().bpf_prog_get_fd_by_id(id);
    if (fd == -ENOENT) {
      return Optional.empty();
    }
    BpfException.check(fd, "bpf_prog_get_fd_by_id", "program id " + id);
    try {
      int[] rc = new int[1];
      ProgramInfo info = Info.program(fd, rc);
      BpfException.check(rc[0], "bpf_obj_get_info_by_fd", "program id " + id);
      return Optional.of(info);
    } finally {
      Native.closeFd(fd);
    }
  }

  public static Optional<MapInfo> map(int id) {
    int fd = Native.bpf().bpf_map_get_fd_by_id(id);
    if (fd == -ENOENT) {
      return Optional.empty();
    }
    BpfException.check(fd, "bpf_map_get_fd_by_id", "map id " + id);
    try {
      int[] rc = new int[1];
      MapInfo info = Info.map(fd, rc);
      BpfException.check(rc[0], "bpf_obj_get_info_by_fd", "map id " + id);
      return Optional.of(info);
    } finally {
      Native.closeFd(fd);
    }
  }

  /** Raw dump of any map: keys and values as hex. */
  public static MapDump dump(int mapId) {
    return dump(mapId, null, null);
  }

  /**
   * Dump of any map by id. Keys/values are decoded with the codecs when given (and of the right
   * size), hex otherwise. Ring buffers and other maps without keys give no entries.
   */
  public static MapDump dump(int mapId, Codec<?> keyCodec, Codec<?> valueCodec) {
    try (BpfMap map = BpfMap.fromId(mapId)) {
      List<MapDump.Entry> entries = new ArrayList<>();
      if (map.keySize() > 0) {
        for (BpfMap.Entry e : map.entries()) {
          entries.add(
              new MapDump.Entry(
                  e.key(), e.value(), text(keyCodec, e.key()), text(valueCodec, e.value())));
        }
      }
      return new MapDump(map.info(), entries);
    }
  }

  private static String text(Codec<?> codec, byte[] bytes) {
    if (codec == null || codec.size() != bytes.length) {
      return Hex.of(bytes);
    }
    return String.valueOf(codec.decode(bytes));
  }

  private static List<Integer> ids(boolean programs) {
    List<Integer> ids = new ArrayList<>();
    IntByReference next = new IntByReference(0);
    int id = 0;
    while (true) {
      int rc =
          programs
              ? Native.bpf().bpf_prog_get_next_id(id, next)
              : Native.bpf().bpf_map_get_next_id(id, next);
      if (rc == -ENOENT) {
        return ids;
      }
      BpfException.check(
          rc, programs ? "bpf_prog_get_next_id" : "bpf_map_get_next_id", "id after " + id);
      id = next.intValue();
      ids.add(id);
    }
  }
}
