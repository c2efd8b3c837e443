package dev.netpol.backend.ebpf;

import dev.netpol.backend.ebpf.internal.Pins;
import dev.netpol.backend.testlab.PodLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A per-run name prefix ({@code npd} + 4 hex) and bpffs pin root; removes leftovers of earlier runs
 * of this test family (links named npd*, netns npd*, pin roots netpol-test-npd*).
 */
final class TestRoot implements AutoCloseable {
  final String prefix;
  final Path pinRoot;

  TestRoot() {
    byte[] b = new byte[2];
    ThreadLocalRandom.current().nextBytes(b);
    prefix = "npd" + HexFormat.of().formatHex(b);
    pinRoot = Path.of("/sys/fs/bpf/netpol-test-" + prefix);
  }

  private static java.nio.channels.FileLock runLock;

  /**
   * Serialises runs of this test family on the machine (another checkout may run them too): the
   * sweep below must never remove a live run's namespaces. Held until this JVM exits.
   */
  static synchronized void lockMachineWide() {
    if (runLock != null) {
      return;
    }
    try {
      var ch =
          java.nio.channels.FileChannel.open(
              Path.of("/tmp/netpol-npd-tests.lock"),
              java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.WRITE);
      runLock = ch.lock();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot lock /tmp/netpol-npd-tests.lock", e);
    }
  }

  static void sweepLeftovers() {
    lockMachineWide();
    PodLab.removeMatching("npd[0-9a-f]{4}.*");
    try (var s = Files.list(Path.of("/sys/fs/bpf"))) {
      s.filter(p -> p.getFileName().toString().matches("netpol-test-npd[0-9a-f]{4}"))
          .forEach(Pins::deleteTree);
    } catch (Exception e) {
      // nothing to sweep
    }
  }

  String dummy(String suffix) {
    String name = prefix + suffix;
    // a veth pair with no namespace: the kernel here has no dummy driver
    PodLab.sh("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p");
    PodLab.sh("ip", "link", "set", name, "up");
    return name;
  }

  @Override
  public void close() {
    PodLab.removeMatching(java.util.regex.Pattern.quote(prefix) + ".*");
    Pins.deleteTree(pinRoot);
  }
}
