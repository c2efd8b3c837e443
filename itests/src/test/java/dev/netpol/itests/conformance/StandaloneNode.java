package dev.netpol.itests.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * bin/netpol standalone as a child process: one node with the embedded API, stopped by SIGTERM. It
 * gets its own bpffs pin root and service-proxy chain prefix, so that other netpol nodes on the
 * machine (tests of other modules) neither share nor remove its kernel objects.
 */
final class StandaloneNode implements AutoCloseable {
  final Path dataDir;
  final String nodeName;
  final String backend;
  final Kubectl kubectl;
  private final Process process;
  final Path pinRoot;
  final String chainPrefix;

  /** bin/netpol and the iptables backend's chain/set prefix: its state is released at close. */
  private Path bin;

  private String iptablesPrefix;

  static String iptablesPrefix(String runId) {
    return "NPI" + runId.toUpperCase(java.util.Locale.ROOT);
  }

  private StandaloneNode(
      Path dataDir, String nodeName, String backend, Process process, Path pinRoot) {
    this.dataDir = dataDir;
    this.nodeName = nodeName;
    this.backend = backend;
    this.process = process;
    this.pinRoot = pinRoot;
    this.chainPrefix =
        "NPC"
            + pinRoot
                .getFileName()
                .toString()
                .replace("netpol-conformance-", "")
                .toUpperCase(java.util.Locale.ROOT);
    this.kubectl = new Kubectl(dataDir.resolve("kubeconfig"));
  }

  static StandaloneNode start(
      Path dist, Path dataDir, String nodeName, String backend, String runId, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path bin = dist.resolve("bin/netpol");
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException(
          "no built distribution at " + bin + " (netpol.dist); run mvn package first");
    }
    Files.createDirectories(dataDir);
    Path pinRoot = Path.of("/sys/fs/bpf/netpol-conformance-" + runId);
    Process p =
        new ProcessBuilder(
                List.of(
                    bin.toString(),
                    "standalone",
                    "--data-dir",
                    dataDir.toString(),
                    "--node-name",
                    nodeName,
                    "--backend",
                    backend,
                    "--set",
                    "netpol.bpffs.root=" + pinRoot,
                    "--set",
                    "netpol.serviceproxy.chain-prefix=NPC"
                        + runId.toUpperCase(java.util.Locale.ROOT),
                    "--set",
                    "netpol.iptables.prefix=" + iptablesPrefix(runId)))
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolve("node.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    StandaloneNode node = new StandaloneNode(dataDir, nodeName, backend, p, pinRoot);
    node.bin = bin;
    node.iptablesPrefix = iptablesPrefix(runId);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < end) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "standalone node exited " + p.exitValue() + " while starting: " + node.logTail());
      }
      if (Files.exists(dataDir.resolve("kubeconfig"))
          && node.kubectl.run("get", "namespaces").ok()) {
        return node;
      }
      Thread.sleep(200);
    }
    node.close();
    throw new IllegalStateException(
        "standalone node did not serve the API within " + timeoutSeconds + "s: " + node.logTail());
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("node.log"));
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * SIGTERM, then SIGKILL of the whole process tree after 20 s; then whatever is left of our pin
   * root.
   */
  @Override
  public void close() {
    stop();
    if (java.nio.file.Files.exists(pinRoot)) {
      Sh.run("rm", "-rf", pinRoot.toString());
    }
    if (bin != null) {
      // the iptables backend (loaded with every backend) leaves its chains enforcing when stopped
      Sh.run(bin.toString(), "iptables", "--prefix", iptablesPrefix, "release");
    }
  }

  private void stop() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
