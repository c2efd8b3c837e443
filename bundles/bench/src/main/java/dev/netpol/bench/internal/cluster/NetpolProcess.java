package dev.netpol.bench.internal.cluster;

import dev.netpol.bench.internal.Machine;
import dev.netpol.bench.internal.Proc;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code bin/netpol standalone} or {@code node} process as a user starts it, with a data dir,
 * node name, bpffs root and backend of its own, its agent's metrics on a port chosen here, and its
 * output in a log file. Stopped with SIGTERM (SIGKILL after a grace period).
 */
public final class NetpolProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  public final String nodeName;
  public final String backend;
  public final Path dataDir;
  public final Path pinRoot;
  public final Path log;
  public final long startedNanos;
  private final int metricsPort;
  private final Process process;

  private NetpolProcess(
      String nodeName,
      String backend,
      Path dataDir,
      Path pinRoot,
      Path log,
      int metricsPort,
      Process process,
      long startedNanos) {
    this.nodeName = nodeName;
    this.backend = backend;
    this.dataDir = dataDir;
    this.pinRoot = pinRoot;
    this.log = log;
    this.metricsPort = metricsPort;
    this.process = process;
    this.startedNanos = startedNanos;
  }

  /** Everything in one process: embedded API, controller, agent, backend, service proxy. */
  public static NetpolProcess standalone(
      Path netpol,
      String nodeName,
      String backend,
      Path dataDir,
      Path pinRoot,
      Path log,
      List<String> extraSettings)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "standalone",
                "--data-dir",
                dataDir.toString(),
                "--node-name",
                nodeName,
                "--backend",
                backend,
                "--bpffs-root",
                pinRoot.toString()));
    return start(netpol, args, nodeName, backend, dataDir, pinRoot, log, extraSettings);
  }

  /** An agent and its backend against a running API. */
  public static NetpolProcess node(
      Path netpol,
      Path kubeconfig,
      String nodeName,
      String backend,
      Path dataDir,
      Path pinRoot,
      Path log,
      List<String> extraSettings)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "node",
                "--kubeconfig",
                kubeconfig.toString(),
                "--node-name",
                nodeName,
                "--backend",
                backend,
                "--data-dir",
                dataDir.toString(),
                "--bpffs-root",
                pinRoot.toString()));
    return start(netpol, args, nodeName, backend, dataDir, pinRoot, log, extraSettings);
  }

  /** Any other bin/netpol container command (e.g. {@code start api}, {@code controller}). */
  public static NetpolProcess process(
      Path netpol,
      List<String> args,
      String name,
      String backend,
      Path dataDir,
      Path pinRoot,
      Path log)
      throws IOException {
    Files.createDirectories(dataDir);
    List<String> cmd = new ArrayList<>(List.of(netpol.toString()));
    cmd.addAll(args);
    long t0 = System.nanoTime();
    return new NetpolProcess(name, backend, dataDir, pinRoot, log, -1, Proc.start(cmd, log), t0);
  }

  private static NetpolProcess start(
      Path netpol,
      List<String> args,
      String nodeName,
      String backend,
      Path dataDir,
      Path pinRoot,
      Path log,
      List<String> extraSettings)
      throws IOException {
    Files.createDirectories(dataDir);
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of(netpol.toString()));
    cmd.addAll(args);
    cmd.addAll(List.of("--set", "netpol.metrics.address=127.0.0.1:" + port));
    for (String s : extraSettings) {
      cmd.addAll(List.of("--set", s));
    }
    long t0 = System.nanoTime();
    Process p = Proc.start(cmd, log);
    return new NetpolProcess(nodeName, backend, dataDir, pinRoot, log, port, p, t0);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public Path kubeconfig() {
    return dataDir.resolve("kubeconfig");
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public double rssMib() {
    return Machine.rssMib(process.pid());
  }

  /** The agent's Prometheus metrics by name (labels dropped); empty while it is not up. */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new HashMap<>();
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      for (String line : r.body().split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        int sp = line.lastIndexOf(' ');
        String name = line.substring(0, sp);
        int brace = name.indexOf('{');
        String key = brace < 0 ? name : name.substring(0, brace);
        if (!key.endsWith("_bucket")) {
          m.put(key, Double.parseDouble(line.substring(sp + 1)));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not up yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return m;
  }

  /** Waits for the kubeconfig of a standalone's API. */
  public void awaitKubeconfig(long seconds) throws InterruptedException {
    long end = System.currentTimeMillis() + seconds * 1000;
    while (!Files.exists(kubeconfig())) {
      check(end, "no kubeconfig in " + dataDir);
      Thread.sleep(100);
    }
  }

  /**
   * Waits until the agent has synced and programmed at least {@code pods} pods; returns the
   * nanoTime when it first saw that (polling every 20 ms).
   */
  public long awaitProgrammed(int pods, long seconds) throws InterruptedException {
    long end = System.currentTimeMillis() + seconds * 1000;
    while (true) {
      Map<String, Double> m = metrics();
      if (m.getOrDefault("netpol_agent_synced", 0.0) >= 1
          && m.getOrDefault("netpol_agent_pods_programmed", 0.0) >= pods) {
        return System.nanoTime();
      }
      check(
          end,
          nodeName
              + ": not "
              + pods
              + " pods programmed (metrics: synced "
              + m.get("netpol_agent_synced")
              + ", programmed "
              + m.get("netpol_agent_pods_programmed")
              + ")");
      Thread.sleep(20);
    }
  }

  /** Waits until the agent reports its caches synced; returns the nanoTime it saw that. */
  public long awaitSynced(long seconds) throws InterruptedException {
    long end = System.currentTimeMillis() + seconds * 1000;
    while (metrics().getOrDefault("netpol_agent_synced", 0.0) < 1) {
      check(end, nodeName + ": agent not in sync");
      Thread.sleep(20);
    }
    return System.nanoTime();
  }

  private void check(long end, String what) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          nodeName + " exited (" + process.exitValue() + "): " + what + "\n" + tail(30));
    }
    if (System.currentTimeMillis() > end) {
      throw new IllegalStateException(what + " in time\n" + tail(30));
    }
  }

  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGKILL: a crash (nothing of the process runs any more). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM (the agent leaves its kernel state enforcing), SIGKILL after 20 s. */
  @Override
  public void close() {
    Proc.stop(process, 20_000);
  }
}
