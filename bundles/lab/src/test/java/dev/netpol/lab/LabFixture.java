package dev.netpol.lab;

import dev.netpol.apiserver.EmbeddedApiServer;
import dev.netpol.lab.internal.PodProcesses;
import dev.netpol.lab.internal.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A test lab: an embedded API server on 127.0.0.1:0 with a temporary data directory, and a lab
 * using name prefix {@code nplt} and a random /24 (IPv4) and /64 (IPv6) inside the lab ranges so
 * concurrent runs do not meet. {@link #close()} removes everything, also after failures.
 */
public final class LabFixture implements AutoCloseable {
  public static final String PREFIX_FAMILY = "nplt";
  public final Path dir;
  public final EmbeddedApiServer api = new EmbeddedApiServer();
  public final Path kubeconfig;
  public final String pool4;
  public final String pool6;
  public final Lab lab;

  public LabFixture() throws IOException {
    removeLeftovers();
    dir = Files.createTempDirectory("netpol-lab-test-");
    api.start("127.0.0.1", 0, dir.resolve("api"));
    kubeconfig = dir.resolve("kubeconfig");
    api.writeKubeconfig(kubeconfig);
    int k = new SecureRandom().nextInt(64);
    pool4 = "198.18." + (64 + k) + ".0/24";
    pool6 = "fd00:198:18:" + Integer.toHexString(0x40 + k) + "::/64";
    lab =
        new Lab(
            new LabConfig(
                dir.resolve("lab"),
                kubeconfig,
                pool4,
                pool6,
                PREFIX_FAMILY,
                "lab-test-node",
                "192.0.2.250"));
  }

  /** Namespaces and links of earlier, crashed runs of these tests (prefix nplt). */
  public static void removeLeftovers() throws IOException {
    Path run = Path.of("/run/netns");
    if (Files.isDirectory(run)) {
      try (Stream<Path> s = Files.list(run)) {
        for (Path p :
            s.filter(p -> p.getFileName().toString().startsWith(PREFIX_FAMILY)).toList()) {
          PodProcesses.killAll(p.getFileName().toString());
          Shell.run("ip", "netns", "del", p.getFileName().toString());
        }
      }
    }
    try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(PREFIX_FAMILY)).toList()) {
        Shell.run("ip", "link", "del", p.getFileName().toString());
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lab.down();
    } finally {
      lab.close();
      api.stop();
      removeLeftovers();
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
