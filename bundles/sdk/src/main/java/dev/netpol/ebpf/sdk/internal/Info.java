package dev.netpol.ebpf.sdk.internal;

import dev.netpol.ebpf.sdk.MapInfo;
import dev.netpol.ebpf.sdk.MapType;
import dev.netpol.ebpf.sdk.ProgramInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Reads {@code bpf_obj_get_info_by_fd} for maps and programs. Returns -errno as a negative rc
 * holder.
 */
public final class Info {
  private Info() {}

  /** Thrown-free variant: returns null and stores -errno in {@code rc[0]} on failure. */
  public static MapInfo map(int fd, int[] rc) {
    Pointer p = Native.allocate(Structs.MAP_INFO_SIZE);
    IntByReference len = new IntByReference(Structs.MAP_INFO_SIZE);
    rc[0] = Native.bpf().bpf_obj_get_info_by_fd(fd, p, len);
    if (rc[0] < 0) {
      return null;
    }
    int type = p.getInt(Structs.MAP_INFO_TYPE);
    return new MapInfo(
        p.getInt(Structs.MAP_INFO_ID),
        MapType.of(type),
        type,
        cString(p, Structs.MAP_INFO_NAME, Structs.BPF_OBJ_NAME_LEN),
        p.getInt(Structs.MAP_INFO_KEY_SIZE),
        p.getInt(Structs.MAP_INFO_VALUE_SIZE),
        p.getInt(Structs.MAP_INFO_MAX_ENTRIES),
        p.getInt(Structs.MAP_INFO_FLAGS));
  }

  public static ProgramInfo program(int fd, int[] rc) {
    Pointer p = Native.allocate(Structs.PROG_INFO_SIZE);
    IntByReference len = new IntByReference(Structs.PROG_INFO_SIZE);
    rc[0] = Native.bpf().bpf_obj_get_info_by_fd(fd, p, len);
    if (rc[0] < 0) {
      return null;
    }
    int nrMaps = p.getInt(Structs.PROG_INFO_NR_MAP_IDS);
    List<Integer> mapIds = new ArrayList<>();
    if (nrMaps > 0) {
      // second call: the kernel fills map_ids only when we hand it an array of nr_map_ids
      Pointer q = Native.allocate(Structs.PROG_INFO_SIZE);
      Pointer ids = Native.allocate(4L * nrMaps);
      q.putInt(Structs.PROG_INFO_NR_MAP_IDS, nrMaps);
      q.putLong(Structs.PROG_INFO_MAP_IDS, ids.address());
      IntByReference len2 = new IntByReference(Structs.PROG_INFO_SIZE);
      rc[0] = Native.bpf().bpf_obj_get_info_by_fd(fd, q, len2);
      if (rc[0] < 0) {
        return null;
      }
      int filled = Math.min(nrMaps, q.getInt(Structs.PROG_INFO_NR_MAP_IDS));
      for (int i = 0; i < filled; i++) {
        mapIds.add(ids.getInt(4L * i));
      }
    }
    byte[] tag = new byte[8];
    p.get(Structs.PROG_INFO_TAG, tag, 0, 8);
    return new ProgramInfo(
        p.getInt(Structs.PROG_INFO_ID),
        p.getInt(Structs.PROG_INFO_TYPE),
        cString(p, Structs.PROG_INFO_NAME, Structs.BPF_OBJ_NAME_LEN),
        Hex.of(tag),
        mapIds,
        p.getLong(Structs.PROG_INFO_RUN_TIME_NS),
        p.getLong(Structs.PROG_INFO_RUN_CNT));
  }

  static String cString(Pointer p, long offset, int max) {
    byte[] b = new byte[max];
    p.get(offset, b, 0, max);
    int n = 0;
    while (n < max && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }
}
