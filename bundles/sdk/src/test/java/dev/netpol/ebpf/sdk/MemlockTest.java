package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

/**
 * Kernels since 5.11 charge BPF memory to the memory cgroup, not RLIMIT_MEMLOCK: a map far larger
 * than a tiny memlock limit can be created, and libbpf leaves the limit alone.
 */
@KernelTest
class MemlockTest {
  public interface Rlimits {
    int getrlimit(int resource, Pointer rlim);

    int setrlimit(int resource, Pointer rlim);
  }

  private static final int RLIMIT_MEMLOCK = 8;

  @Test
  void mapsNeedNoMemlockRaise() {
    Rlimits libc = LibraryLoader.create(Rlimits.class).library("c").load();
    Runtime rt = Runtime.getRuntime(libc);
    Pointer saved = Memory.allocateDirect(rt, 16);
    assertEquals(0, libc.getrlimit(RLIMIT_MEMLOCK, saved));
    Pointer tiny = Memory.allocateDirect(rt, 16);
    tiny.putLong(0, 64 * 1024);
    tiny.putLong(8, saved.getLong(8));
    assertEquals(0, libc.setrlimit(RLIMIT_MEMLOCK, tiny));
    try {
      // 16 MiB of array values against a 64 KiB memlock limit
      try (BpfMap big = BpfMap.create(MapType.ARRAY, 4, 4096, 4096, 0, "nps_memlock")) {
        big.put(Codecs.u32("i").encode(4095), new byte[4096]);
      }
      Pointer now = Memory.allocateDirect(rt, 16);
      libc.getrlimit(RLIMIT_MEMLOCK, now);
      assertEquals(64 * 1024, now.getLong(0), "libbpf did not raise RLIMIT_MEMLOCK");
    } finally {
      libc.setrlimit(RLIMIT_MEMLOCK, saved);
    }
  }
}
