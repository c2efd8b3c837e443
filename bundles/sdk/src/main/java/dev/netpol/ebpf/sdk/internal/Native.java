package dev.netpol.ebpf.sdk.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** Loads libbpf and libc once per class loader, and routes libbpf's messages to slf4j. */
public final class Native {
  private static final class Holder {
    static final LibBpf BPF = LibraryLoader.create(LibBpf.class).library("bpf").library("c").load();
    static final LibC C = LibraryLoader.create(LibC.class).library("c").load();
    static final Runtime RUNTIME = Runtime.getRuntime(BPF);

    static {
      LibbpfLog.install(BPF);
    }
  }

  private Native() {}

  public static LibBpf bpf() {
    return Holder.BPF;
  }

  public static LibC libc() {
    return Holder.C;
  }

  public static Runtime runtime() {
    return Holder.RUNTIME;
  }

  /** errno saved by jnr-ffi after the last native call on this thread. */
  public static int lastErrno() {
    return Holder.RUNTIME.getLastError();
  }

  /** Zeroed native memory, freed when unreachable. */
  public static Pointer allocate(long size) {
    return Memory.allocateDirect(Holder.RUNTIME, size, true);
  }

  /** Zeroed option struct with its leading {@code size_t sz} set. */
  public static Pointer opts(int size) {
    Pointer p = allocate(size);
    p.putLong(0, size);
    return p;
  }

  public static void closeFd(int fd) {
    if (fd >= 0) {
      Holder.C.close(fd);
    }
  }
}
