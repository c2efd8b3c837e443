package dev.netpol.backend.ebpf.internal.kernel;

import static dev.netpol.backend.ebpf.internal.kernel.Libbpf.LIB;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/** An owned map file descriptor with raw byte[] key/value access. */
public final class BpfMap implements AutoCloseable {
  private final int fd;
  private final String name;
  private final Info info;

  /** What the kernel says about a map (struct bpf_map_info). */
  public record Info(int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name) {}

  private BpfMap(int fd, String name) {
    this.fd = fd;
    this.info = info(fd);
    this.name = name == null ? info.name() : name;
  }

  /** Takes ownership of {@code fd}. */
  public static BpfMap adopt(int fd, String name) {
    return new BpfMap(fd, name);
  }

  public static BpfMap openPinned(String path) {
    return new BpfMap(BpfException.check(LIB.bpf_obj_get(path), "bpf_obj_get " + path), path);
  }

  public static BpfMap openById(int id) {
    return new BpfMap(BpfException.check(LIB.bpf_map_get_fd_by_id(id), "bpf_map_get_fd_by_id " + id), null);
  }

  public static BpfMap create(int type, String name, int keySize, int valueSize, int maxEntries, int flags) {
    Pointer opts = Memory.allocateDirect(Libbpf.RUNTIME, 48, true);
    opts.putLong(0, 48);
    opts.putInt(28, flags); // map_flags
    int fd = LIB.bpf_map_create(type, name, keySize, valueSize, maxEntries, opts);
    return new BpfMap(BpfException.check(fd, "bpf_map_create " + name + " (" + maxEntries + " entries)"), name);
  }

  public int fd() {
    return fd;
  }

  public String name() {
    return name;
  }

  public Info info() {
    return info;
  }

  public void update(byte[] key, byte[] value) {
    BpfException.check(LIB.bpf_map_update_elem(fd, key, value, Libbpf.BPF_ANY), "update " + name);
  }

  /** The value, or null if the key is absent. */
  public byte[] lookup(byte[] key) {
    byte[] value = new byte[info.valueSize()];
    int rc = LIB.bpf_map_lookup_elem(fd, key, value);
    if (rc == -2) {
      return null;
    }
    BpfException.check(rc, "lookup " + name);
    return value;
  }

  /** True if the key was there. */
  public boolean delete(byte[] key) {
    int rc = LIB.bpf_map_delete_elem(fd, key);
    if (rc == -2) {
      return false;
    }
    BpfException.check(rc, "delete " + name);
    return true;
  }

  /** Every key, in kernel iteration order (a snapshot; concurrent updates may be missed). */
  public List<byte[]> keys() {
    List<byte[]> keys = new ArrayList<>();
    byte[] key = null;
    while (true) {
      byte[] next = new byte[info.keySize()];
      int rc = LIB.bpf_map_get_next_key(fd, key, next);
      if (rc == -2) {
        return keys;
      }
      BpfException.check(rc, "get_next_key " + name);
      keys.add(next);
      key = next;
    }
  }

  /** Calls {@code each} with every (key, value) still present. */
  public void forEach(BiConsumer<byte[], byte[]> each) {
    for (byte[] k : keys()) {
      byte[] v = lookup(k);
      if (v != null) {
        each.accept(k, v);
      }
    }
  }

  public void pin(String path) {
    BpfException.check(LIB.bpf_obj_pin(fd, path), "bpf_obj_pin " + name + " at " + path);
  }

  @Override
  public void close() {
    LIB.close(fd);
  }

  static Info info(int fd) {
    Pointer buf = Memory.allocateDirect(Libbpf.RUNTIME, 256, true);
    IntByReference len = new IntByReference(256);
    BpfException.check(LIB.bpf_obj_get_info_by_fd(fd, buf, len), "bpf_obj_get_info_by_fd map");
    byte[] n = new byte[16];
    buf.get(24, n, 0, 16);
    return new Info(buf.getInt(0), buf.getInt(4), buf.getInt(8), buf.getInt(12), buf.getInt(16), buf.getInt(20), cString(n));
  }

  static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }
}
