package dev.netpol.itests.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * One end-to-end run's names and the clean-up of everything it made, in reverse order, also on
 * failure. Names: work dirs {@code /tmp/netpol-e2e-<hex>}, pin roots {@code
 * /sys/fs/bpf/netpol-test-e2e<hex>*}; leftovers of earlier runs of this family are removed on start
 * (their lab namespaces via the lab's own state, {@code lab down --no-api}).
 */
final class E2eRun implements AutoCloseable {
  static final Path BPFFS = Path.of("/sys/fs/bpf");
  static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
  final String hex =
      HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(1 << 16));
  final Path work;
  private final Deque<ThrowingRunnable> cleanups = new ArrayDeque<>();
  private final List<Path> pinRoots = new ArrayList<>();

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  E2eRun() throws IOException {
    removeLeftovers();
    work = Files.createDirectories(TMP.resolve("netpol-e2e-" + hex));
    cleanups.push(() -> deleteTree(work));
  }

  /** A fresh pin root for one netpol process; removed at the end. */
  Path pinRoot(String suffix) {
    Path p = BPFFS.resolve("netpol-test-e2e" + hex + suffix);
    pinRoots.add(p);
    return p;
  }

  /**
   * A private netpol home for this run: the distribution's {@code bin/netpol} copied, its {@code
   * lib}, {@code bundles}, {@code manifests}, profiles and logging linked, and {@code etc/config}
   * copied, so a test can edit settings (picked up live) without touching the shared distribution.
   * Returns its {@code bin/netpol}.
   */
  Path privateHome() throws IOException {
    Path dist = Cli.netpol().getParent().getParent();
    Path home = work.resolve("home");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("etc/config"));
    Path bin = home.resolve("bin/netpol");
    Files.copy(dist.resolve("bin/netpol"), bin);
    bin.toFile().setExecutable(true);
    for (String linked :
        List.of("lib", "bundles", "manifests", "etc/profiles", "etc/logging.properties")) {
      if (Files.exists(dist.resolve(linked))) {
        Files.createSymbolicLink(home.resolve(linked), dist.resolve(linked));
      }
    }
    try (Stream<Path> s = Files.list(dist.resolve("etc/config"))) {
      for (Path cfg : s.toList()) {
        Files.copy(cfg, home.resolve("etc/config").resolve(cfg.getFileName()));
      }
    }
    return bin;
  }

  /** Registers a clean-up step; steps run last-registered first. */
  void onClose(ThrowingRunnable r) {
    cleanups.push(r);
  }

  @Override
  public void close() {
    while (!cleanups.isEmpty()) {
      try {
        cleanups.pop().run();
      } catch (Exception | AssertionError e) {
        System.err.println("e2e clean-up: " + e);
      }
    }
    for (Path p : pinRoots) {
      deleteTree(p);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("e2e clean-up: " + root + ": " + e);
    }
  }

  private static void removeLeftovers() throws IOException {
    try (Stream<Path> s = Files.list(TMP)) {
      for (Path old :
          s.filter(p -> p.getFileName().toString().startsWith("netpol-e2e-")).toList()) {
        if (Files.exists(old.resolve("lab/state.json"))) {
          Cli.netpol("lab", "down", "--no-api", "--data-dir", old.resolve("lab").toString());
        }
        deleteTree(old);
      }
    }
    try (Stream<Path> s = Files.list(BPFFS)) {
      s.filter(p -> p.getFileName().toString().startsWith("netpol-test-e2e"))
          .forEach(E2eRun::deleteTree);
    }
  }

  /** A TCP port on loopback that nothing listens on now (for a console or metrics address). */
  static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** kubectl against this kubeconfig. */
  static Cli.Result kubectl(Path kubeconfig, String... args) {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    return Cli.run(30, cmd);
  }

  /** Writes a manifest into the work dir and applies it. */
  Cli.Result apply(Path kubeconfig, String name, String yaml) throws IOException {
    Path f = Files.writeString(work.resolve(name + ".yaml"), yaml);
    return kubectl(kubeconfig, "apply", "-f", f.toString());
  }
}
