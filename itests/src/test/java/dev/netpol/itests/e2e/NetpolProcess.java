package dev.netpol.itests.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running {@code bin/netpol standalone|node} with its own data dir, bpffs pin root and log file;
 * stopped with SIGTERM (as a DaemonSet pod is), SIGKILL after a grace period.
 */
final class NetpolProcess implements AutoCloseable {
  final String nodeName;
  final Path dataDir;
  final Path pinRoot;
  final Path log;
  private final Process process;

  private NetpolProcess(String nodeName, Path dataDir, Path pinRoot, Process process) {
    this.nodeName = nodeName;
    this.dataDir = dataDir;
    this.pinRoot = pinRoot;
    this.log = dataDir.resolve("netpol.log");
    this.process = process;
  }

  static NetpolProcess standalone(String nodeName, Path dataDir, Path pinRoot, String chainPrefix)
      throws IOException {
    return standalone(nodeName, dataDir, pinRoot, chainPrefix, List.of(), Cli.netpol());
  }

  /** {@code settings}: more {@code key=value} settings ({@code --set}). */
  static NetpolProcess standalone(
      String nodeName, Path dataDir, Path pinRoot, String chainPrefix, List<String> settings)
      throws IOException {
    return standalone(nodeName, dataDir, pinRoot, chainPrefix, settings, Cli.netpol());
  }

  /** A standalone run by {@code netpol} (e.g. the bin/netpol of a private copy of the home). */
  static NetpolProcess standalone(
      String nodeName, Path dataDir, Path pinRoot, String chainPrefix, Path netpol)
      throws IOException {
    return standalone(nodeName, dataDir, pinRoot, chainPrefix, List.of(), netpol);
  }

  /** A standalone run by {@code netpol} with more {@code key=value} settings. */
  static NetpolProcess standalone(
      String nodeName,
      Path dataDir,
      Path pinRoot,
      String chainPrefix,
      List<String> settings,
      Path netpol)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "standalone",
                "--data-dir",
                dataDir.toString(),
                "--node-name",
                nodeName,
                "--bpffs-root",
                pinRoot.toString(),
                "--set",
                "netpol.serviceproxy.chain-prefix=" + chainPrefix,
                "--set",
                "netpol.iptables.prefix=" + iptablesPrefix(chainPrefix)));
    for (String s : settings) {
      args.add("--set");
      args.add(s);
    }
    return start(netpol, dataDir, pinRoot, nodeName, args);
  }

  /** The iptables backend's chain and set prefix of a run: its own, like the service proxy's. */
  static String iptablesPrefix(String chainPrefix) {
    String p = chainPrefix.replaceAll("[^A-Za-z0-9]", "");
    return p.substring(0, Math.min(9, p.length())) + "I";
  }

  static NetpolProcess node(String nodeName, Path kubeconfig, Path dataDir, Path pinRoot)
      throws IOException {
    return start(
        Cli.netpol(),
        dataDir,
        pinRoot,
        nodeName,
        List.of(
            "node",
            "--kubeconfig",
            kubeconfig.toString(),
            "--node-name",
            nodeName,
            "--data-dir",
            dataDir.toString(),
            "--bpffs-root",
            pinRoot.toString()));
  }

  /** {@code bin/netpol controller} against the API of {@code kubeconfig}. */
  static NetpolProcess controller(String name, Path kubeconfig, Path dataDir) throws IOException {
    return start(
        Cli.netpol(),
        dataDir,
        null,
        name,
        List.of(
            "controller", "--kubeconfig", kubeconfig.toString(), "--data-dir", dataDir.toString()));
  }

  /** SIGKILL: no shutdown hook, no lease release. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  private static NetpolProcess start(
      Path netpol, Path dataDir, Path pinRoot, String nodeName, List<String> args)
      throws IOException {
    Files.createDirectories(dataDir);
    List<String> cmd = new ArrayList<>(List.of(netpol.toString()));
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolve("netpol.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    return new NetpolProcess(nodeName, dataDir, pinRoot, p);
  }

  Path kubeconfig() {
    return dataDir.resolve("kubeconfig");
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /**
   * Waits until the log contains {@code text}; fails with the log's tail if the process ends or
   * time runs out.
   */
  void awaitLog(String text, long seconds) throws InterruptedException {
    long end = System.currentTimeMillis() + seconds * 1000;
    while (System.currentTimeMillis() < end) {
      if (log().contains(text)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            nodeName + " exited " + process.exitValue() + " before '" + text + "':\n" + tail());
      }
      Thread.sleep(100);
    }
    throw new AssertionError(nodeName + ": no '" + text + "' within " + seconds + " s:\n" + tail());
  }

  /** This node's agent has both caches synced (PolicyEndpoint CRD installed, informers listed). */
  void awaitInSync(long seconds) throws InterruptedException {
    awaitLog("node " + nodeName + ": ", seconds);
    awaitLog("policyendpoints in sync", seconds);
  }

  String tail() {
    String[] lines = log().split("\n");
    return String.join(
        "\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 25), lines.length));
  }

  /**
   * Any command that ends in the {@code bin/netpol} of a node (e.g. through a container's sandbox),
   * logging to {@code logDir/netpol.log}; it must exec, so that SIGTERM reaches the JVM.
   */
  static NetpolProcess launch(String nodeName, Path logDir, Path pinRoot, List<String> cmd)
      throws IOException {
    Files.createDirectories(logDir);
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(logDir.resolve("netpol.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    return new NetpolProcess(nodeName, logDir, pinRoot, p);
  }

  /** SIGTERM, then SIGKILL after {@code graceSeconds}; returns the exit status. */
  int stop(long graceSeconds) throws InterruptedException {
    if (process.isAlive()) {
      Cli.run("kill", "-TERM", String.valueOf(process.pid()));
      if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    stop(20);
  }
}
