package dev.netpol.ebpf.sdk;

import dev.netpol.ebpf.sdk.internal.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A pin root on bpffs (default {@value #DEFAULT_ROOT_PATH}) and helpers for pins and bpffs mounts.
 * Pins are plain files on bpffs: unpinning is unlinking.
 */
public final class Pins {
  public static final String DEFAULT_ROOT_PATH = "/sys/fs/bpf/netpol";
  public static final Path DEFAULT_ROOT = Path.of(DEFAULT_ROOT_PATH);

  private final Path root;

  public Pins(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public static Pins defaultRoot() {
    return new Pins(DEFAULT_ROOT);
  }

  public Path root() {
    return root;
  }

  /** The pin path for an object called {@code name} (a map or program name) under the root. */
  public Path path(String name) {
    if (name.isEmpty() || name.contains("/") || name.equals("..") || name.equals(".")) {
      throw new IllegalArgumentException(
          "pin name '" + name + "' under " + root + " is not a plain file name");
    }
    return root.resolve(name);
  }

  /** Creates the root directory; fails clearly when it is not on a bpffs mount. */
  public Pins ensureRoot() {
    if (mountOf(root).isEmpty()) {
      throw new IllegalStateException(
          "pin root "
              + root
              + " is not on a bpffs mount"
              + " (mount one with: mount -t bpf bpf /sys/fs/bpf)");
    }
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create pin root " + root, e);
    }
    return this;
  }

  /** Whether {@code name} is pinned under the root. */
  public boolean exists(String name) {
    return Files.exists(path(name));
  }

  /** Unpins everything under the root and removes the root directory. */
  public void removeAll() {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove pins under " + root, e);
    }
  }

  /** Removes one pin; absent pins are fine. */
  public static void unpin(Path pin) {
    try {
      Files.deleteIfExists(pin);
    } catch (NoSuchFileException e) {
      // gone already
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpin " + pin, e);
    }
  }

  /** The bpffs mount point holding {@code path}, from /proc/self/mounts. */
  public static Optional<Path> mountOf(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    Path best = null;
    boolean bestIsBpf = false;
    for (String[] m : mounts()) {
      Path mp = Path.of(m[1]);
      // the deepest mount point wins; of equal ones the later (it hides the earlier)
      if (abs.startsWith(mp) && (best == null || mp.getNameCount() >= best.getNameCount())) {
        best = mp;
        bestIsBpf = m[2].equals("bpf");
      }
    }
    return bestIsBpf ? Optional.of(best) : Optional.empty();
  }

  /**
   * Mounts a bpffs instance at {@code mountPoint} unless one is there already; true if it mounted.
   */
  public static boolean mountBpffs(Path mountPoint) {
    Path mp = mountPoint.toAbsolutePath().normalize();
    if (mountOf(mp).map(mp::equals).orElse(false)) {
      return false;
    }
    try {
      Files.createDirectories(mp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create bpffs mount point " + mp, e);
    }
    int rc = Native.libc().mount("bpf", mp.toString(), "bpf", 0, null);
    if (rc != 0) {
      throw new BpfException("mount -t bpf", mp.toString(), Native.lastErrno());
    }
    return true;
  }

  /** Detaches a bpffs mount (MNT_DETACH); pins in that instance vanish with it. */
  public static void unmount(Path mountPoint) {
    int rc = Native.libc().umount2(mountPoint.toAbsolutePath().normalize().toString(), 2);
    if (rc != 0) {
      throw new BpfException("umount2", mountPoint.toString(), Native.lastErrno());
    }
  }

  private static List<String[]> mounts() {
    try {
      return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
          .map(l -> l.split(" "))
          .filter(f -> f.length >= 3)
          .map(f -> new String[] {f[0], unescape(f[1]), f[2]})
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/self/mounts", e);
    }
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\");
  }

  @Override
  public String toString() {
    return "pins at " + root;
  }
}
