package dev.netpol.ebpf.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link BpfMap} seen through codecs for its key and value. Sizes are checked once, here: a codec
 * that disagrees with the kernel's key or value size is a clear error naming the map. Bulk writes
 * use the batch syscalls when the map type has them and fall back to one call per element otherwise
 * (e.g. LPM tries).
 */
public final class TypedMap<K, V> {
  private final BpfMap map;
  private final Codec<K> keys;
  private final Codec<V> values;

  public TypedMap(BpfMap map, Codec<K> keyCodec, Codec<V> valueCodec) {
    if (keyCodec.size() != map.keySize()) {
      throw new IllegalArgumentException(
          map.describe()
              + ": key codec "
              + keyCodec
              + " is "
              + keyCodec.size()
              + " bytes, the map's key_size is "
              + map.keySize());
    }
    if (valueCodec.size() != map.valueBufferSize()) {
      throw new IllegalArgumentException(
          map.describe()
              + ": value codec "
              + valueCodec
              + " is "
              + valueCodec.size()
              + " bytes, the map's value is "
              + map.valueBufferSize()
              + (map.type().perCpu()
                  ? " (per-CPU: one 8-byte aligned slot per possible CPU)"
                  : ""));
    }
    this.map = map;
    this.keys = keyCodec;
    this.values = valueCodec;
  }

  public BpfMap raw() {
    return map;
  }

  public Optional<V> get(K key) {
    return map.get(keys.encode(key)).map(values::decode);
  }

  public void put(K key, V value) {
    map.put(keys.encode(key), values.encode(value));
  }

  public void put(K key, V value, UpdateFlag flag) {
    map.put(keys.encode(key), values.encode(value), flag);
  }

  public boolean delete(K key) {
    return map.delete(keys.encode(key));
  }

  public List<K> keys() {
    List<K> out = new ArrayList<>();
    for (byte[] k : map.keys()) {
      out.add(keys.decode(k));
    }
    return out;
  }

  /** A snapshot of all entries (key order as the kernel iterates). */
  public Map<K, V> entries() {
    Map<K, V> out = new LinkedHashMap<>();
    for (BpfMap.Entry e : map.type().supportsBatch() ? map.lookupBatch(256) : map.entries()) {
      out.put(keys.decode(e.key()), values.decode(e.value()));
    }
    return out;
  }

  /** Writes all entries: one batch call where supported; returns how many were written. */
  public int putAll(Map<K, V> entries) {
    List<byte[]> k = new ArrayList<>(entries.size());
    List<byte[]> v = new ArrayList<>(entries.size());
    entries.forEach(
        (key, value) -> {
          k.add(keys.encode(key));
          v.add(values.encode(value));
        });
    if (map.type().supportsBatch()) {
      return map.putBatch(k, v, UpdateFlag.ANY);
    }
    for (int i = 0; i < k.size(); i++) {
      map.put(k.get(i), v.get(i));
    }
    return k.size();
  }

  /** Deletes all given keys: one batch call where supported (then every key must exist). */
  public int deleteAll(List<K> toDelete) {
    List<byte[]> k = new ArrayList<>(toDelete.size());
    toDelete.forEach(key -> k.add(keys.encode(key)));
    if (map.type().supportsBatch()
        && map.type() != MapType.ARRAY
        && map.type() != MapType.PERCPU_ARRAY) {
      return map.deleteBatch(k);
    }
    int n = 0;
    for (byte[] key : k) {
      n += map.delete(key) ? 1 : 0;
    }
    return n;
  }

  @Override
  public String toString() {
    return "typed " + map.describe();
  }
}
