package dev.netpol.ebpf.sdk;

/** {@code enum bpf_map_type}, in kernel order. */
public enum MapType {
  UNSPEC,
  HASH,
  ARRAY,
  PROG_ARRAY,
  PERF_EVENT_ARRAY,
  PERCPU_HASH,
  PERCPU_ARRAY,
  STACK_TRACE,
  CGROUP_ARRAY,
  LRU_HASH,
  LRU_PERCPU_HASH,
  LPM_TRIE,
  ARRAY_OF_MAPS,
  HASH_OF_MAPS,
  DEVMAP,
  SOCKMAP,
  CPUMAP,
  XSKMAP,
  SOCKHASH,
  CGROUP_STORAGE,
  REUSEPORT_SOCKARRAY,
  PERCPU_CGROUP_STORAGE,
  QUEUE,
  STACK,
  SK_STORAGE,
  DEVMAP_HASH,
  STRUCT_OPS,
  RINGBUF,
  INODE_STORAGE,
  TASK_STORAGE,
  BLOOM_FILTER,
  USER_RINGBUF,
  CGRP_STORAGE,
  ARENA,
  /** A type newer than this SDK knows; {@link MapInfo#typeCode()} has the number. */
  UNKNOWN;

  public int code() {
    return this == UNKNOWN ? -1 : ordinal();
  }

  public static MapType of(int code) {
    MapType[] all = values();
    return code >= 0 && code < all.length - 1 ? all[code] : UNKNOWN;
  }

  /** Lookups return one value slot (rounded up to 8 bytes) per possible CPU. */
  public boolean perCpu() {
    return this == PERCPU_HASH
        || this == PERCPU_ARRAY
        || this == LRU_PERCPU_HASH
        || this == PERCPU_CGROUP_STORAGE;
  }

  /** The kernel implements BPF_MAP_*_BATCH for this type. */
  public boolean supportsBatch() {
    switch (this) {
      case HASH:
      case PERCPU_HASH:
      case LRU_HASH:
      case LRU_PERCPU_HASH:
      case ARRAY:
      case PERCPU_ARRAY:
        return true;
      default:
        return false;
    }
  }

  /** Values are map fds on update and map ids on lookup. */
  public boolean mapInMap() {
    return this == ARRAY_OF_MAPS || this == HASH_OF_MAPS;
  }
}
