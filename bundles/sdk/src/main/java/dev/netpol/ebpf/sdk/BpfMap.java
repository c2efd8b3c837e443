package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Info;
import dev.netpol.ebpf.sdk.internal.LibBpf;
import dev.netpol.ebpf.sdk.internal.Native;
import dev.netpol.ebpf.sdk.internal.Structs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * A kernel map reached through its fd, with raw byte access. Keys and values are the C layout bytes
 * (little-endian on x86_64/arm64); {@link TypedMap} adds codecs. Maps of a {@link BpfObject} belong
 * to it (closing this handle does nothing); maps made by {@link #create}, {@link #openPinned} or
 * {@link #fromId} own their fd.
 *
 * <p>Per-CPU maps: values read and written are one {@code round_up(valueSize, 8)} slot per possible
 * CPU, concatenated ({@link #valueBufferSize()}).
 */
public final class BpfMap extends KernelHandle {
  private static final int ENOENT = 2;
  private static final int ENOSPC = 28;

  private final MapInfo info;
  private final String name;
  private final int valueBufferSize;

  BpfMap(int fd, boolean owned, String libbpfName, Path pinnedAt) {
    super(fd, owned, pinnedAt);
    MapInfo i = infoOf(fd, owned, "map", libbpfName, Info::map);
    this.info = i;
    this.name = libbpfName != null ? libbpfName : i.name();
    this.valueBufferSize =
        i.type().perCpu()
            ? ((i.valueSize() + 7) & ~7) * Native.bpf().libbpf_num_possible_cpus()
            : i.valueSize();
  }

  /**
   * Creates a standalone map (e.g. an inner map for a map-in-map), owned by this handle.
   *
   * @param flags BPF_F_* map flags, e.g. 1 = BPF_F_NO_PREALLOC (required for LPM_TRIE)
   */
  public static BpfMap create(
      MapType type, int keySize, int valueSize, int maxEntries, int flags, String name) {
    return create(type, keySize, valueSize, maxEntries, flags, name, null);
  }

  /**
   * Creates an ARRAY_OF_MAPS or HASH_OF_MAPS whose inner maps must look like {@code innerTemplate}
   * (same type, key/value size, flags). Values are 4-byte map fds on update.
   */
  public static BpfMap createOuter(
      MapType type, int keySize, int maxEntries, BpfMap innerTemplate, String name) {
    if (!type.mapInMap()) {
      throw new IllegalArgumentException(
          "map '" + name + "': type " + type + " is not ARRAY_OF_MAPS or HASH_OF_MAPS");
    }
    return create(type, keySize, 4, maxEntries, 0, name, innerTemplate);
  }

  private static BpfMap create(
      MapType type,
      int keySize,
      int valueSize,
      int maxEntries,
      int flags,
      String name,
      BpfMap inner) {
    Pointer opts = Native.opts(Structs.MAP_CREATE_SIZE);
    opts.putInt(Structs.MAP_CREATE_MAP_FLAGS, flags);
    if (inner != null) {
      opts.putInt(Structs.MAP_CREATE_INNER_MAP_FD, inner.fd());
    }
    // the kernel keeps 15 name characters of [A-Za-z0-9_.]
    String kernelName = name.length() > 15 ? name.substring(0, 15) : name;
    int fd =
        Native.bpf().bpf_map_create(type.code(), kernelName, keySize, valueSize, maxEntries, opts);
    BpfException.check(
        fd,
        "bpf_map_create",
        "new "
            + type
            + " map '"
            + name
            + "' (key "
            + keySize
            + " B, value "
            + valueSize
            + " B, max "
            + maxEntries
            + ")");
    return new BpfMap(fd, true, name, null);
  }

  /** Opens a map pinned on bpffs; the returned handle owns a new fd. */
  public static BpfMap openPinned(Path path) {
    int fd = Native.bpf().bpf_obj_get(path.toString());
    BpfException.check(fd, "bpf_obj_get", "pinned map " + path);
    return new BpfMap(fd, true, null, path);
  }

  /** Opens any map on the node by id (needs CAP_SYS_ADMIN); owns a new fd. */
  public static BpfMap fromId(int id) {
    int fd = Native.bpf().bpf_map_get_fd_by_id(id);
    BpfException.check(fd, "bpf_map_get_fd_by_id", "map id " + id);
    return new BpfMap(fd, true, null, null);
  }

  public int id() {
    return info.id();
  }

  /** The name libbpf knows (full length) or the kernel's (15 characters). */
  public String name() {
    return name;
  }

  public MapType type() {
    return info.type();
  }

  public MapInfo info() {
    return info;
  }

  public int keySize() {
    return info.keySize();
  }

  public int valueSize() {
    return info.valueSize();
  }

  /** Bytes of one lookup result: valueSize, or one 8-byte aligned slot per CPU for per-CPU maps. */
  public int valueBufferSize() {
    return valueBufferSize;
  }

  /** "map 'name' (id N)": how errors name this map. */
  @Override
  public String describe() {
    return "map '" + name + "' (id " + info.id() + ")";
  }

  /** This map through codecs; sizes are checked against the kernel's. */
  public <K, V> TypedMap<K, V> typed(Codec<K> keyCodec, Codec<V> valueCodec) {
    return new TypedMap<>(this, keyCodec, valueCodec);
  }

  // ---- element access

  public Optional<byte[]> get(byte[] key) {
    checkKey(key);
    byte[] value = new byte[valueBufferSize];
    int rc = Native.bpf().bpf_map_lookup_elem(fd(), key, value);
    if (rc == -ENOENT) {
      return Optional.empty();
    }
    BpfException.check(rc, "bpf_map_lookup_elem", describe());
    return Optional.of(value);
  }

  public void put(byte[] key, byte[] value) {
    put(key, value, UpdateFlag.ANY);
  }

  public void put(byte[] key, byte[] value, UpdateFlag flag) {
    checkKey(key);
    if (value.length != valueBufferSize) {
      throw new IllegalArgumentException(
          describe() + ": value is " + value.length + " bytes, the map takes " + valueBufferSize);
    }
    int rc = Native.bpf().bpf_map_update_elem(fd(), key, value, flag.bits());
    BpfException.check(rc, "bpf_map_update_elem", describe());
  }

  /** Deletes the key; false if it was absent. */
  public boolean delete(byte[] key) {
    checkKey(key);
    int rc = Native.bpf().bpf_map_delete_elem(fd(), key);
    if (rc == -ENOENT) {
      return false;
    }
    BpfException.check(rc, "bpf_map_delete_elem", describe());
    return true;
  }

  /** All keys, by walking bpf_map_get_next_key (not atomic against concurrent updates). */
  public List<byte[]> keys() {
    List<byte[]> keys = new ArrayList<>();
    byte[] prev = null;
    while (true) {
      byte[] next = new byte[info.keySize()];
      int rc = Native.bpf().bpf_map_get_next_key(fd(), prev, next);
      if (rc == -ENOENT) {
        return keys;
      }
      BpfException.check(rc, "bpf_map_get_next_key", describe());
      keys.add(next);
      prev = next;
    }
  }

  /** All entries, key by key; entries deleted while walking are skipped. */
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    for (byte[] k : keys()) {
      get(k).ifPresent(v -> out.add(new Entry(k, v)));
    }
    return out;
  }

  // ---- map-in-map

  /**
   * Sets an ARRAY_OF_MAPS / HASH_OF_MAPS slot to {@code inner}: one atomic pointer swap for
   * readers.
   */
  public void putInnerMap(byte[] key, BpfMap inner) {
    requireMapInMap();
    checkKey(key);
    int rc = Native.bpf().bpf_map_update_elem(fd(), key, fdBytes(inner), UpdateFlag.ANY.bits());
    BpfException.check(rc, "bpf_map_update_elem (inner " + inner.describe() + ")", describe());
  }

  /**
   * Sets several slots at once, {@code keys.get(i)} to {@code inners.get(i)}, in one
   * BPF_MAP_UPDATE_BATCH. Each update of a HASH_OF_MAPS from a syscall waits for an RCU grace
   * period (about 9 ms here); a batch waits once, however many slots it sets.
   */
  public void putInnerMaps(List<byte[]> keys, List<BpfMap> inners) {
    requireMapInMap();
    putBatch(keys, inners.stream().map(BpfMap::fdBytes).toList(), UpdateFlag.ANY);
  }

  /** An inner map as a map-in-map's value: its fd, little-endian. */
  private static byte[] fdBytes(BpfMap inner) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(inner.fd()).array();
  }

  /** The id of the inner map in a map-in-map slot (the kernel reports ids, not fds). */
  public OptionalInt innerMapId(byte[] key) {
    requireMapInMap();
    return get(key)
        .map(v -> OptionalInt.of(ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt()))
        .orElse(OptionalInt.empty());
  }

  private void requireMapInMap() {
    if (!info.type().mapInMap()) {
      throw new IllegalStateException(describe() + " is " + info.type() + ", not a map-in-map");
    }
  }

  // ---- batch operations (HASH/ARRAY families only; others fail with EINVAL or ENOTSUPP)

  /** Writes all pairs in one BPF_MAP_UPDATE_BATCH; returns how many the kernel applied. */
  public int putBatch(List<byte[]> keys, List<byte[]> values, UpdateFlag flag) {
    if (keys.size() != values.size()) {
      throw new IllegalArgumentException(
          describe() + ": " + keys.size() + " keys but " + values.size() + " values");
    }
    if (keys.isEmpty()) {
      return 0;
    }
    Pointer k = pack(keys, info.keySize(), "key");
    Pointer v = pack(values, valueBufferSize, "value");
    IntByReference count = new IntByReference(keys.size());
    Pointer opts = Native.opts(Structs.BATCH_OPTS_SIZE);
    opts.putLong(Structs.BATCH_OPTS_ELEM_FLAGS, flag.bits());
    int rc = Native.bpf().bpf_map_update_batch(fd(), k, v, count, opts);
    BpfException.check(
        rc,
        "bpf_map_update_batch (" + keys.size() + " entries, " + count.intValue() + " applied)",
        describe());
    return count.intValue();
  }

  /** Deletes all keys in one BPF_MAP_DELETE_BATCH; ENOENT for any absent key. */
  public int deleteBatch(List<byte[]> keys) {
    if (keys.isEmpty()) {
      return 0;
    }
    Pointer k = pack(keys, info.keySize(), "key");
    IntByReference count = new IntByReference(keys.size());
    int rc =
        Native.bpf().bpf_map_delete_batch(fd(), k, count, Native.opts(Structs.BATCH_OPTS_SIZE));
    BpfException.check(
        rc,
        "bpf_map_delete_batch (" + keys.size() + " keys, " + count.intValue() + " deleted)",
        describe());
    return count.intValue();
  }

  /**
   * Deletes the keys that are present, in as few BPF_MAP_DELETE_BATCH calls as the absent ones
   * allow (the kernel stops a batch at the first absent key: it is skipped and the rest resent).
   * Returns how many were deleted. For tables the datapath also changes (an LRU evicting).
   */
  public int deleteBatchPresent(List<byte[]> keys) {
    int deleted = 0;
    int from = 0;
    Pointer all = keys.isEmpty() ? null : pack(keys, info.keySize(), "key");
    Pointer opts = Native.opts(Structs.BATCH_OPTS_SIZE);
    while (from < keys.size()) {
      IntByReference count = new IntByReference(keys.size() - from);
      int rc =
          Native.bpf()
              .bpf_map_delete_batch(fd(), all.slice((long) from * info.keySize()), count, opts);
      deleted += count.intValue();
      if (rc == -ENOENT) {
        from += count.intValue() + 1; // the absent key
        continue;
      }
      BpfException.check(
          rc,
          "bpf_map_delete_batch ("
              + (keys.size() - from)
              + " keys, "
              + count.intValue()
              + " deleted)",
          describe());
      from += count.intValue();
      if (count.intValue() == 0) {
        break; // nothing done and no error: do not spin
      }
    }
    return deleted;
  }

  /** Reads the whole map with BPF_MAP_LOOKUP_BATCH, {@code chunk} entries per call. */
  public List<Entry> lookupBatch(int chunk) {
    LibBpf bpf = Native.bpf();
    List<Entry> out = new ArrayList<>();
    int ks = info.keySize();
    int tokenSize = Math.max(8, ks);
    Pointer inBatch = null;
    Pointer outBatch = Native.allocate(tokenSize);
    Pointer spare = Native.allocate(tokenSize);
    int n = Math.max(1, chunk);
    Pointer keys = Native.allocate((long) n * ks);
    Pointer values = Native.allocate((long) n * valueBufferSize);
    Pointer opts = Native.opts(Structs.BATCH_OPTS_SIZE);
    while (true) {
      IntByReference count = new IntByReference(n);
      int rc = bpf.bpf_map_lookup_batch(fd(), inBatch, outBatch, keys, values, count, opts);
      if (rc == -ENOSPC && count.intValue() == 0) {
        // a hash bucket holds more entries than fit: grow and retry the same position
        n *= 2;
        keys = Native.allocate((long) n * ks);
        values = Native.allocate((long) n * valueBufferSize);
        continue;
      }
      if (rc < 0 && rc != -ENOENT) {
        BpfException.check(rc, "bpf_map_lookup_batch", describe());
      }
      for (int i = 0; i < count.intValue(); i++) {
        byte[] key = new byte[ks];
        byte[] value = new byte[valueBufferSize];
        keys.get((long) i * ks, key, 0, ks);
        values.get((long) i * valueBufferSize, value, 0, valueBufferSize);
        out.add(new Entry(key, value));
      }
      if (rc == -ENOENT) {
        return out;
      }
      Pointer used = outBatch;
      outBatch = inBatch == null ? spare : inBatch;
      inBatch = used;
    }
  }

  private Pointer pack(List<byte[]> items, int size, String what) {
    Pointer p = Native.allocate((long) items.size() * size);
    for (int i = 0; i < items.size(); i++) {
      byte[] b = items.get(i);
      if (b.length != size) {
        throw new IllegalArgumentException(
            describe()
                + ": "
                + what
                + " #"
                + i
                + " is "
                + b.length
                + " bytes, the map takes "
                + size);
      }
      p.put((long) i * size, b, 0, size);
    }
    return p;
  }

  private void checkKey(byte[] key) {
    if (key.length != info.keySize()) {
      throw new IllegalArgumentException(
          describe() + ": key is " + key.length + " bytes, the map takes " + info.keySize());
    }
  }

  @Override
  public String toString() {
    return info.toString();
  }

  /** One raw key/value pair. */
  public record Entry(byte[] key, byte[] value) {}
}
