package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Native;
import java.util.Optional;
import java.util.OptionalInt;
import jnr.ffi.Pointer;

/** Interface name and index, via libc, in the calling thread's network namespace. */
public final class Interfaces {
  private static final int IF_NAMESIZE = 16;

  private Interfaces() {}

  /** The ifindex of {@code name}, empty if there is no such interface. */
  public static OptionalInt index(String name) {
    int idx = Native.libc().if_nametoindex(name);
    return idx == 0 ? OptionalInt.empty() : OptionalInt.of(idx);
  }

  /** The ifindex of {@code name}; throws ENODEV naming the interface when it does not exist. */
  public static int require(String name) {
    int idx = Native.libc().if_nametoindex(name);
    if (idx == 0) {
      throw new BpfException("if_nametoindex", "interface '" + name + "'", Native.lastErrno());
    }
    return idx;
  }

  public static Optional<String> name(int ifindex) {
    Pointer buf = Native.allocate(IF_NAMESIZE);
    Pointer r = Native.libc().if_indextoname(ifindex, buf);
    return r == null ? Optional.empty() : Optional.of(buf.getString(0));
  }
}
