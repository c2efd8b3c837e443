package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Native;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An exclusive flock(2) on a directory, e.g. a bpffs pin root shared by every container that mounts
 * it. The kernel drops the lock when the holder's fd goes, also when the holder is killed, so a
 * dead holder never blocks the next one. Locks are per open file description: a second {@link
 * #tryLock} of the same directory fails also in the same process.
 */
public final class DirectoryLock implements AutoCloseable {
  private static final int O_RDONLY = 0;
  private static final int O_DIRECTORY = 0200000;
  private static final int O_CLOEXEC = 02000000;
  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;
  private static final int EWOULDBLOCK = 11;

  private final Path dir;
  private int fd;

  private DirectoryLock(Path dir, int fd) {
    this.dir = dir;
    this.fd = fd;
  }

  /**
   * Takes the lock if nobody holds it; empty if someone does. Throws if the directory cannot be
   * opened.
   */
  public static Optional<DirectoryLock> tryLock(Path dir) {
    int fd = Native.libc().open(dir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      throw new BpfException("open", "directory " + dir, Native.lastErrno());
    }
    if (Native.libc().flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int errno = Native.lastErrno();
      Native.closeFd(fd);
      if (errno == EWOULDBLOCK) {
        return Optional.empty();
      }
      throw new BpfException("flock", "directory " + dir, errno);
    }
    return Optional.of(new DirectoryLock(dir, fd));
  }

  public Path directory() {
    return dir;
  }

  /** Releases the lock (closing the fd); idempotent. */
  @Override
  public synchronized void close() {
    if (fd >= 0) {
      Native.closeFd(fd);
      fd = -1;
    }
  }

  @Override
  public String toString() {
    return "lock on " + dir;
  }
}
