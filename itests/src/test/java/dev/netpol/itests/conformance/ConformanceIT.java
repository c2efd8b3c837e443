package dev.netpol.itests.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.itests.conformance.ProbeTargets.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream NetworkPolicy e2e suite against the built distribution: per backend one standalone
 * node, per address family the nine lab pods, then every selected case as its own test. A case
 * passes when both probe modes (Service ClusterIP and pod IP) match its expected matrix. Writes
 * target/conformance/report.md and report.csv; prints the pass rate.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceIT {
  private static final Logger LOG = LoggerFactory.getLogger(ConformanceIT.class);
  private final ConformanceSettings settings = ConformanceSettings.fromSystemProperties();
  private final ConformanceReport report = new ConformanceReport();
  private final String runId =
      HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
  private final Path work =
      Path.of(System.getProperty("java.io.tmpdir"), "netpol-conformance-" + runId);
  private final List<AutoCloseable> open = new ArrayList<>();
  private StandaloneNode node;
  private LabCluster cluster;
  private MatrixProber prober;
  private CaseRunner runner;
  private final long started = System.nanoTime();

  /**
   * Best effort if the JVM is stopped mid-run (Ctrl-C of the build): no node or pods left behind.
   */
  private final Thread onExit = new Thread(this::closeAll, "conformance-cleanup");

  ConformanceIT() {
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  @TestFactory
  Stream<DynamicNode> upstreamNetworkPolicyCases() {
    Assumptions.assumeFalse(settings.cases().isEmpty(), "netpol.conformance=off");
    deleteTree(settings.reportDir().resolve("policies"));
    deleteTree(settings.reportDir().resolve("diagnostics"));
    report.note(
        "cases: "
            + settings.cases().size()
            + " selected; backends "
            + settings.backends()
            + "; families "
            + settings.families()
            + "; pods from "
            + settings.pods()
            + "; probe timeout "
            + settings.timing().probeTimeoutMillis()
            + " ms, per-pair retry "
            + settings.timing().retryMillis()
            + " ms, baseline "
            + settings.timing().baselineMillis()
            + " ms, confirming pass "
            + settings.timing().settleMillis()
            + " ms after each change");
    return settings.backends().stream()
        .map(
            backend ->
                DynamicContainer.dynamicContainer(
                    "backend " + backend,
                    Stream.concat(
                            Stream.of(
                                DynamicTest.dynamicTest(
                                    "start standalone node (" + backend + ")",
                                    () -> startNode(backend))),
                            settings.families().stream()
                                .map(
                                    family ->
                                        DynamicContainer.dynamicContainer(
                                            backend + " " + family,
                                            Stream.concat(
                                                Stream.of(
                                                    DynamicTest.dynamicTest(
                                                        "lab pods (" + family + ")",
                                                        () -> startCluster(backend, family))),
                                                Stream.concat(
                                                    settings.cases().stream()
                                                        .map(
                                                            c ->
                                                                DynamicTest.dynamicTest(
                                                                    "#"
                                                                        + c.number()
                                                                        + " "
                                                                        + c.block()
                                                                        + " "
                                                                        + c.name(),
                                                                    () -> runCase(c))),
                                                    Stream.of(
                                                        DynamicTest.dynamicTest(
                                                            "tear down lab pods (" + family + ")",
                                                            this::closeCluster)))))))
                        .toList()
                        .stream()
                        .map(n -> (DynamicNode) n)));
  }

  private void startNode(String backend) throws Exception {
    closeAll();
    try {
      node =
          StandaloneNode.start(
              settings.dist(), work.resolve(backend), "conformance-" + runId, backend, runId, 90);
    } catch (RuntimeException e) {
      report.note("backend " + backend + ": the standalone node did not start: " + e.getMessage());
      throw e;
    }
    open.add(node);
    LOG.info("standalone node ({}) up, data dir {}", backend, node.dataDir);
  }

  private void startCluster(String backend, String family) throws Exception {
    closeCluster();
    Assumptions.assumeTrue(node != null && node.alive(), "no standalone node running");
    Path script = work.resolve("agent.py");
    try (InputStream in = ConformanceIT.class.getResourceAsStream("/conformance/agent.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    long t0 = System.nanoTime();
    String clusterId = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    PodSource source =
        settings.pods().equals("lab")
            ? new LabCliPods(
                settings.dist(),
                node.dataDir.resolve("kubeconfig"),
                work.resolve("lab-" + clusterId),
                node.nodeName)
            : new NetnsPods(node.kubectl, node.nodeName, clusterId);
    cluster = new LabCluster(node, source, clusterId, family.equals("ipv6"), script);
    prober = new MatrixProber(cluster, settings.timing().probeTimeoutMillis());
    runner =
        new CaseRunner(
            cluster,
            prober,
            settings.timing(),
            backend,
            family,
            settings.reportDir().resolve("policies").resolve(backend + "-" + family),
            new Diagnostics(
                settings.dist(),
                node.pinRoot,
                node.chainPrefix,
                settings.reportDir().resolve("diagnostics")));
    cluster.unavailable.forEach(
        (m, why) -> report.note(backend + "/" + family + "/" + m + " unavailable: " + why));
    long made = System.nanoTime();
    report.note(
        String.format(
            "%s/%s: nine pods, Services and agents made in %.1f s",
            backend, family, (made - t0) / 1e9));
    warmUp(backend, family, made);
  }

  /**
   * Waits (up to 30 s) until every pair reaches every other on 80/TCP in each mode, and notes how
   * long each took.
   */
  private void warmUp(String backend, String family, long since) {
    cluster.ensureForwarding();
    Reachability open = Reachability.allAllowed();
    List<java.util.concurrent.CompletableFuture<String>> lines = new ArrayList<>();
    for (Mode m : Mode.values()) {
      if (!cluster.unavailable.containsKey(m)) {
        lines.add(
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                  int wrong =
                      open.wrongCells(prober.observe(m, 80, Protocol.TCP, open, 30_000)).size();
                  return String.format(
                      "%s/%s/%s: %s %.1f s after the pods were made",
                      backend,
                      family,
                      m,
                      wrong == 0
                          ? "all 72 pairs connected on 80/TCP"
                          : wrong + " pairs still not connected on 80/TCP",
                      (System.nanoTime() - since) / 1e9);
                }));
      }
    }
    for (var f : lines) {
      report.note(f.join());
      System.out.println("CONFORMANCE " + f.join());
    }
  }

  private void runCase(ConformanceCase c) {
    Assumptions.assumeTrue(runner != null && node.alive(), "no lab pods / standalone node");
    assertTrue(cluster.agentsAlive(), "a pod agent died");
    CaseResult r = runner.run(c);
    report.add(r);
    // stdout, not the log: the build's log goes to a file, and this line is the suite's progress
    System.out.printf(
        "CONFORMANCE #%d %s/%s service %s, pod %s (%.1f s)%n",
        c.number(),
        r.backend(),
        r.family(),
        r.modes().get(Mode.SERVICE).passed() ? "pass" : "FAIL",
        r.modes().get(Mode.POD).passed() ? "pass" : "FAIL",
        r.millis() / 1000.0);
    StringBuilder why = new StringBuilder();
    for (Mode m : Mode.values()) {
      if (!r.modes().get(m).passed()) {
        why.append("\n  ").append(m).append(": ").append(r.modes().get(m).differingCells(40));
      }
    }
    assertTrue(
        r.passed(),
        () ->
            "case #"
                + c.number()
                + " '"
                + c.name()
                + "' differs from upstream's expectation:"
                + why);
  }

  private void closeCluster() {
    if (cluster != null && cluster.forwardingRepairs > 0) {
      report.note(
          "IPv4 forwarding on the pods' host links was found off "
              + cluster.forwardingRepairs
              + " times and switched back on (someone wrote the global net.ipv4.ip_forward, e.g. another node stopping)");
    }
    if (prober != null) {
      prober.close();
      prober = null;
    }
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
    runner = null;
  }

  private synchronized void closeAll() {
    closeCluster();
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("cleanup: {}", e.toString());
      }
    }
    if (node != null) {
      copyLog(node);
    }
    open.clear();
    node = null;
  }

  private void copyLog(StandaloneNode n) {
    try {
      Files.createDirectories(settings.reportDir());
      Path log = n.dataDir.resolve("node.log");
      if (Files.exists(log)) {
        Files.copy(
            log,
            settings.reportDir().resolve("node-" + n.backend + ".log"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      LOG.warn("cannot keep the node log: {}", e.toString());
    }
  }

  @AfterAll
  void finish() throws IOException {
    closeAll();
    Runtime.getRuntime().removeShutdownHook(onExit);
    report.note(String.format("total %.1f s", (System.nanoTime() - started) / 1e9));
    report.write(settings.reportDir());
    for (String line : report.passRates()) {
      System.out.println("CONFORMANCE " + line);
    }
    System.out.println(
        "CONFORMANCE report: " + settings.reportDir().resolve("report.md").toAbsolutePath());
    deleteTree(work);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }
}
