package dev.netpol.itests.conformance;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.netpol.itests.conformance.CaseResult.ModeResult;
import dev.netpol.itests.conformance.CaseResult.StepResult;
import dev.netpol.itests.conformance.ConformanceCase.PortProtocol;
import dev.netpol.itests.conformance.ProbeTargets.Mode;
import dev.netpol.itests.conformance.Reachability.Cell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one case like upstream's It: back to the starting state, the all-allowed baseline on every
 * probed port (waitForHTTPServers), then the steps in order; each Validate probes the whole matrix
 * in every mode, with a whole-matrix second try when the first one (already retried per pair)
 * misses.
 */
final class CaseRunner {
  private static final Logger LOG = LoggerFactory.getLogger(CaseRunner.class);
  private static final YAMLMapper YAML = new YAMLMapper();

  /**
   * Probe timing: per probe, per-pair retry budget of a Validate, of the baseline, and how long
   * after the last change the confirming pass starts (so that allowed cells are judged on the new
   * state).
   */
  record Timing(
      long probeTimeoutMillis, long retryMillis, long baselineMillis, long settleMillis) {}

  private final LabCluster cluster;
  private final MatrixProber prober;
  private final Timing timing;
  private final String backend;
  private final String family;
  private final Path policyDir;
  private final Diagnostics diagnostics;

  /**
   * Baselines failed in a row per mode: after two, later baselines get 1 s, so a broken mode does
   * not eat the budget.
   */
  private final Map<Mode, Integer> baselineFailures = new EnumMap<>(Mode.class);

  CaseRunner(
      LabCluster cluster,
      MatrixProber prober,
      Timing timing,
      String backend,
      String family,
      Path policyDir,
      Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
    this.cluster = cluster;
    this.prober = prober;
    this.timing = timing;
    this.backend = backend;
    this.family = family;
    this.policyDir = policyDir;
  }

  private ConformanceCase current;

  /** When the last change (policy, label, delete) was submitted. */
  private long lastChange;

  CaseResult run(ConformanceCase c) {
    current = c;
    long t0 = System.nanoTime();
    java.time.Instant started = java.time.Instant.now();
    Map<Mode, List<StepResult>> steps = new EnumMap<>(Mode.class);
    Map<Mode, String> errors = new EnumMap<>(Mode.class);
    for (Mode m : Mode.values()) {
      steps.put(m, new ArrayList<>());
      if (cluster.unavailable.containsKey(m)) {
        errors.put(m, "mode unavailable: " + cluster.unavailable.get(m));
      }
    }
    try {
      cluster.reset();
      baseline(c, errors);
      int n = 0;
      for (Step s : c.steps(cluster)) {
        n++;
        if (!(s instanceof Step.Validate)) {
          lastChange = System.nanoTime();
        }
        if (s instanceof Step.CreatePolicy p) {
          cluster.putPolicy(p.namespace(), write(c, n, p.namespace(), p.policy()), false);
        } else if (s instanceof Step.UpdatePolicy p) {
          cluster.putPolicy(p.namespace(), write(c, n, p.namespace(), p.policy()), true);
        } else if (s instanceof Step.DeleteAllPolicies) {
          cluster.deleteAllPolicies();
        } else if (s instanceof Step.LabelNamespace l) {
          cluster.labelNamespace(l.namespace(), l.key(), l.value());
        } else if (s instanceof Step.LabelPod l) {
          cluster.labelPod(l.pod(), l.labels());
        } else if (s instanceof Step.Validate v) {
          validate(v, errors, steps);
        }
      }
    } catch (RuntimeException | IOException e) {
      LOG.warn("case #{} {} failed with an error: {}", c.number(), c.name(), e.toString());
      for (Mode m : Mode.values()) {
        errors.putIfAbsent(m, "error: " + e.getMessage());
      }
    }
    Map<Mode, ModeResult> modes = new EnumMap<>(Mode.class);
    for (Mode m : Mode.values()) {
      boolean ok =
          !errors.containsKey(m) && steps.get(m).stream().allMatch(r -> r.wrong().isEmpty());
      modes.put(m, new ModeResult(m, ok, errors.get(m), List.copyOf(steps.get(m))));
    }
    CaseResult r =
        new CaseResult(c, backend, family, modes, started, (System.nanoTime() - t0) / 1_000_000);
    LOG.info(
        "case #{} {} [{}/{}] started {}: service {} pod {} in {} ms",
        c.number(),
        c.name(),
        backend,
        family,
        started,
        verdict(modes.get(Mode.SERVICE)),
        verdict(modes.get(Mode.POD)),
        r.millis());
    return r;
  }

  private static String verdict(ModeResult m) {
    return m.passed() ? "PASS" : "FAIL (" + m.differingCells(6) + ")";
  }

  /**
   * Every probed port must be reachable by every pair before the first policy (upstream's
   * waitForHTTPServers).
   */
  private void baseline(ConformanceCase c, Map<Mode, String> errors) {
    Reachability all = Reachability.allAllowed();
    for (PortProtocol pp : c.probed(cluster)) {
      Map<Mode, CompletableFuture<Boolean[][]>> runs = new EnumMap<>(Mode.class);
      for (Mode m : Mode.values()) {
        if (!errors.containsKey(m)) {
          long budget = baselineFailures.getOrDefault(m, 0) >= 2 ? 1000 : timing.baselineMillis();
          runs.put(
              m,
              CompletableFuture.supplyAsync(
                  () -> prober.observe(m, pp.port(), pp.protocol(), all, budget)));
        }
      }
      runs.forEach(
          (m, f) -> {
            List<Cell> wrong = all.wrongCells(f.join());
            if (!wrong.isEmpty()) {
              errors.put(
                  m,
                  "baseline "
                      + pp
                      + " not all-allowed before any policy, "
                      + wrong.size()
                      + " pairs blocked: "
                      + wrong.stream().limit(8).map(x -> x.from() + "->" + x.to()).toList());
            }
          });
    }
    for (Mode m : Mode.values()) {
      boolean failed = errors.getOrDefault(m, "").startsWith("baseline");
      baselineFailures.put(m, failed ? baselineFailures.getOrDefault(m, 0) + 1 : 0);
    }
  }

  private void validate(
      Step.Validate v, Map<Mode, String> errors, Map<Mode, List<StepResult>> steps) {
    Map<Mode, CompletableFuture<StepResult>> runs = new EnumMap<>(Mode.class);
    for (Mode m : Mode.values()) {
      if (!errors.containsKey(m)) {
        runs.put(m, CompletableFuture.supplyAsync(() -> validateOne(m, v)));
      }
    }
    runs.forEach((m, f) -> steps.get(m).add(f.join()));
    if (diagnostics != null
        && runs.keySet().stream().anyMatch(m -> !last(steps.get(m)).wrong().isEmpty())) {
      String name =
          String.format(
              "%s-%s-case-%02d-step-%d",
              backend,
              family,
              current.number(),
              steps.get(Mode.POD).size() + steps.get(Mode.SERVICE).size());
      Path f =
          diagnostics.dump(
              name, "case #" + current.number() + " " + current.name() + ", " + v.what());
      LOG.info("case #{}: step {} failed; kernel state in {}", current.number(), v.what(), f);
    }
  }

  private static StepResult last(List<StepResult> l) {
    return l.get(l.size() - 1);
  }

  /**
   * First pass: every pair probed until it shows its expected value (gives the enforcement
   * latency). A fast first probe of an expected-allowed pair may still see the state before the
   * change, so a confirming pass, started no earlier than settleMillis after the change, is what is
   * judged; when it misses, the whole matrix is probed once more (upstream's second try).
   */
  private StepResult validateOne(Mode m, Step.Validate v) {
    long t0 = System.nanoTime();
    Reachability r = v.reachability();
    MatrixProber.Observation first =
        prober.observeTimed(m, v.port(), v.protocol(), r, timing.retryMillis());
    long wait = lastChange + timing.settleMillis() * 1_000_000 - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Boolean[][] seen = prober.observe(m, v.port(), v.protocol(), r, timing.retryMillis());
    List<Cell> wrong = r.wrongCells(seen);
    int firstWrong = wrong.size();
    if (!wrong.isEmpty()) {
      seen = prober.observe(m, v.port(), v.protocol(), r, timing.retryMillis());
      wrong = r.wrongCells(seen);
    }
    return new StepResult(
        v.what(),
        wrong,
        firstWrong,
        (System.nanoTime() - t0) / 1_000_000,
        r.table(),
        Matrices.observed(seen),
        first.retriedPairs(),
        first.settleMillis());
  }

  private Path write(ConformanceCase c, int step, String ns, Policy p) throws IOException {
    Path dir = policyDir.resolve(String.format("case-%02d", c.number()));
    Files.createDirectories(dir);
    Path f = dir.resolve(step + "-" + ns + "-" + p.name() + ".yaml");
    Files.writeString(f, YAML.writeValueAsString(p.toObject(cluster.namespace(ns))));
    return f;
  }
}
