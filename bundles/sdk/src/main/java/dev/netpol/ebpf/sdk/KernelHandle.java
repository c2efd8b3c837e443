package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Native;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * What program and map handles share: a file descriptor that the handle may own, the pin it was
 * opened from or made, and closing. Closing an owned handle closes its fd; the kernel object lives
 * on while pins or other fds hold it.
 */
abstract class KernelHandle implements AutoCloseable {
  private final int fd;
  private final boolean owned;
  private volatile Path pinnedAt;
  // one atomic step from open to closed: a check-then-set could let two threads both close the fd
  // number, the second closing whatever the process opened under that number meanwhile
  private final AtomicBoolean closed = new AtomicBoolean();

  KernelHandle(int fd, boolean owned, Path pinnedAt) {
    this.fd = fd;
    this.owned = owned;
    this.pinnedAt = pinnedAt;
  }

  /**
   * Kernel facts about {@code fd}, read by {@code read}; when the kernel refuses, an owned fd is
   * closed and the exception names the handle ({@code kind} "map" or "program").
   */
  static <I> I infoOf(
      int fd, boolean owned, String kind, String libbpfName, BiFunction<Integer, int[], I> read) {
    int[] rc = new int[1];
    I info = read.apply(fd, rc);
    if (info == null) {
      if (owned) {
        Native.closeFd(fd);
      }
      throw new BpfException(
          "bpf_obj_get_info_by_fd",
          kind + " fd " + fd + (libbpfName == null ? "" : " '" + libbpfName + "'"),
          -rc[0]);
    }
    return info;
  }

  /** What this is, for messages: kind, name and kernel id. */
  public abstract String describe();

  public int fd() {
    if (closed.get()) {
      throw new IllegalStateException(describe() + " is closed");
    }
    return fd;
  }

  /** Pins the object at {@code path} on bpffs (the parent directory must exist). */
  public void pin(Path path) {
    int rc = Native.bpf().bpf_obj_pin(fd(), path.toString());
    BpfException.check(rc, "bpf_obj_pin at " + path, describe());
    pinnedAt = path;
  }

  /** Removes the pin this handle made or was opened from; the object lives on while fds remain. */
  public void unpin() {
    Path p = pinnedAt;
    if (p != null) {
      Pins.unpin(p);
      pinnedAt = null;
    }
  }

  public Optional<Path> pinnedAt() {
    return Optional.ofNullable(pinnedAt);
  }

  /** The object that loaded this handle closed its fd. */
  void markClosed() {
    closed.set(true);
  }

  /** Closes an owned fd exactly once, whichever threads call this and how often. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && owned) {
      closeFd(fd);
    }
  }

  /** The one place an owned fd is closed (tests count the calls). */
  void closeFd(int fd) {
    Native.closeFd(fd);
  }

  @Override
  public String toString() {
    return describe();
  }
}
