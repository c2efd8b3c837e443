package dev.netpol.ebpf.sdk.internal;

import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;

/** The few libc functions the SDK needs. */
public interface LibC {
  int if_nametoindex(String name);

  Pointer if_indextoname(int index, Pointer buf);

  String strerror(int errno);

  int close(int fd);

  int open(String path, int flags);

  int flock(int fd, int operation);

  int mount(String source, String target, String type, long flags, Pointer data);

  int umount2(String target, int flags);

  /** {@code ap} is a {@code va_list} as a callback received it (a pointer on x86-64 and arm64). */
  int vsnprintf(Pointer buf, @size_t long size, Pointer format, Pointer ap);
}
