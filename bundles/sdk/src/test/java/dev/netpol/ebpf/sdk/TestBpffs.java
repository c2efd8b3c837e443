package dev.netpol.ebpf.sdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A private bpffs instance per test class at /run/nps&lt;hex&gt;-bpffs: pins made there never meet
 * anyone else's, and unmounting removes them all. Leftovers of earlier runs are removed first.
 */
final class TestBpffs implements AutoCloseable {
  private static final Pattern OURS = Pattern.compile("/run/nps[0-9a-f]{4}-bpffs");

  final Path mount;

  TestBpffs() {
    removeLeftovers();
    mount = Path.of("/run/" + Names.prefix() + "-bpffs");
    Pins.mountBpffs(mount);
  }

  Pins pins(String sub) {
    return new Pins(mount.resolve(sub)).ensureRoot();
  }

  private static void removeLeftovers() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
        String[] f = line.split(" ");
        if (f.length > 2
            && f[2].equals("bpf")
            && OURS.matcher(f[1]).matches()
            && !f[1].equals("/run/" + Names.prefix() + "-bpffs")) {
          Sh.tryRun("umount", "-l", f[1]);
          Sh.tryRun("rmdir", f[1]);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      Pins.unmount(mount);
    } finally {
      try {
        Files.deleteIfExists(mount);
      } catch (IOException e) {
        // an empty directory in /run is harmless
      }
    }
  }
}
