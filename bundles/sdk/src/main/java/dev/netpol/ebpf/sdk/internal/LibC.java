package dev.netpol.ebpf.sdk.internal;

import jnr.ffi.Pointer;

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
}
