package dev.netpol.backend.ebpf.internal;

import dev.netpol.backend.ebpf.internal.abi.Holder;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.DirectoryLock;
import dev.netpol.ebpf.sdk.MapType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One agent per pin root: an flock(2) on the root directory (dropped by the kernel when the holder
 * dies, so a killed agent never blocks its successor), and the holder's identity in
 * global/np_holder (a one-entry array map, readable with the agent down) so a refused second agent
 * can say who holds the root.
 */
public final class RootLock implements AutoCloseable {
  private final DirectoryLock lock;

  private RootLock(DirectoryLock lock) {
    this.lock = lock;
  }

  /** Takes the root or throws naming the root and its holder. */
  public static RootLock acquire(Pins pins, String node) {
    try {
      Files.createDirectories(pins.root());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create pin root " + pins.root(), e);
    }
    Optional<DirectoryLock> l = DirectoryLock.tryLock(pins.root());
    if (l.isEmpty()) {
      Holder h = holder(pins);
      throw new IllegalStateException(
          "pin root "
              + pins.root()
              + " is held by another netpol agent: "
              + (h == null ? "(holder not recorded yet)" : h.toString())
              + "; one agent per bpffs root (set netpol.bpffs.root)");
    }
    try {
      Files.createDirectories(pins.global(Pins.HOLDER).getParent());
      Path p = pins.global(Pins.HOLDER);
      if (!Files.exists(p)) {
        try (BpfMap m = BpfMap.create(MapType.ARRAY, 4, Holder.SIZE, 1, 0, Pins.HOLDER)) {
          m.pin(p);
        }
      }
      ProcessHandle self = ProcessHandle.current();
      Holder h =
          new Holder(
              (int) self.pid(),
              System.currentTimeMillis(),
              node,
              self.info().commandLine().orElse(self.info().command().orElse("?")));
      try (BpfMap m = BpfMap.openPinned(p)) {
        m.put(new byte[4], h.encode());
      }
      return new RootLock(l.get());
    } catch (IOException | RuntimeException e) {
      l.get().close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** The recorded holder of the root, or null. */
  public static Holder holder(Pins pins) {
    Path p = pins.global(Pins.HOLDER);
    if (!Files.exists(p)) {
      return null;
    }
    try (BpfMap m = BpfMap.openPinned(p)) {
      Holder h = m.get(new byte[4]).map(Holder::decode).orElse(null);
      return h == null || h.pid() == 0 ? null : h;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The node name for the holder record: NODE_NAME (as a DaemonSet sets it), else the host. */
  public static String nodeName() {
    String n = System.getenv("NODE_NAME");
    if (n != null && !n.isBlank()) {
      return n;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "?";
    }
  }

  @Override
  public void close() {
    lock.close();
  }
}
