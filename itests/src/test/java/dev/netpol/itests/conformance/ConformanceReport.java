package dev.netpol.itests.conformance;

import dev.netpol.itests.conformance.CaseResult.ModeResult;
import dev.netpol.itests.conformance.CaseResult.StepResult;
import dev.netpol.itests.conformance.ProbeTargets.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects case results and writes report.md (a table per backend, family and mode) and report.csv.
 */
public final class ConformanceReport {
  private final List<CaseResult> results = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public synchronized void add(CaseResult r) {
    results.add(r);
  }

  public synchronized void note(String line) {
    notes.add(line);
  }

  public synchronized List<CaseResult> results() {
    return List.copyOf(results);
  }

  /** "ebpf/ipv4/SERVICE: 46/48 passed (95.8%), failing #30 #46", one line per group. */
  public synchronized List<String> passRates() {
    List<String> lines = new ArrayList<>();
    Map<String, List<String>> failing = new LinkedHashMap<>();
    for (CaseResult r : results) {
      for (Mode m : Mode.values()) {
        List<String> f =
            failing.computeIfAbsent(
                r.backend() + "/" + r.family() + "/" + m, k -> new ArrayList<>());
        if (!r.modes().get(m).passed()) {
          f.add("#" + r.testCase().number());
        }
      }
    }
    groups()
        .forEach(
            (key, rs) -> {
              long passed = rs.stream().filter(ModeResult::passed).count();
              lines.add(
                  String.format(
                      "%s: %d/%d passed (%.1f%%)%s",
                      key,
                      passed,
                      rs.size(),
                      rs.isEmpty() ? 0.0 : 100.0 * passed / rs.size(),
                      failing.get(key).isEmpty()
                          ? ""
                          : ", failing " + String.join(" ", failing.get(key))));
            });
    return lines;
  }

  private Map<String, List<ModeResult>> groups() {
    Map<String, List<ModeResult>> g = new LinkedHashMap<>();
    for (CaseResult r : results) {
      for (Mode m : Mode.values()) {
        g.computeIfAbsent(r.backend() + "/" + r.family() + "/" + m, k -> new ArrayList<>())
            .add(r.modes().get(m));
      }
    }
    return g;
  }

  /**
   * How soon the policies were in force: Validate steps whose every pair showed its expected value
   * on the first probe.
   */
  public synchronized String stepTimes() {
    int steps = 0;
    int immediate = 0;
    long slowest = 0;
    List<Long> ms = new ArrayList<>();
    for (CaseResult r : results) {
      for (Mode m : Mode.values()) {
        for (StepResult s : r.modes().get(m).steps()) {
          steps++;
          immediate += s.retriedPairs() == 0 ? 1 : 0;
          if (s.wrong().isEmpty()) {
            slowest = Math.max(slowest, s.settleMillis());
            ms.add(s.millis());
          }
        }
      }
    }
    if (steps == 0) {
      return "no Validate steps ran";
    }
    java.util.Collections.sort(ms);
    return String.format(
        "Validate steps: %d; %d had every pair right on its first probe; the slowest passing step "
            + "settled %d ms after it started (the policy change was submitted just before); step time median %d ms, "
            + "max %d ms (probing included)",
        steps,
        immediate,
        slowest,
        ms.isEmpty() ? 0 : ms.get(ms.size() / 2),
        ms.isEmpty() ? 0 : ms.get(ms.size() - 1));
  }

  public synchronized String markdown() {
    StringBuilder sb =
        new StringBuilder(
            "# netpol NetworkPolicy conformance (upstream e2e cases, 9-pod model)\n\n");
    sb.append("Written ")
        .append(Instant.now())
        .append(". Modes: SERVICE probes the destination's Service ClusterIP ")
        .append("(as upstream does), POD probes its pod IP. Loopback pairs are not judged.\n\n");
    notes.forEach(n -> sb.append("- ").append(n).append('\n'));
    sb.append("\n## Pass rate\n\n");
    passRates().forEach(l -> sb.append("- ").append(l).append('\n'));
    sb.append("- ").append(stepTimes()).append('\n');
    Map<String, List<CaseResult>> byRun = new LinkedHashMap<>();
    results.forEach(
        r ->
            byRun.computeIfAbsent(r.backend() + " / " + r.family(), k -> new ArrayList<>()).add(r));
    byRun.forEach(
        (run, rs) -> {
          for (Mode m : Mode.values()) {
            sb.append("\n## ")
                .append(run)
                .append(" / ")
                .append(m)
                .append("\n\n")
                .append(
                    "| # | block | case | result | started (UTC) | s | pairs retried (settled ms) | first-try misses | differing cells |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
            for (CaseResult r : rs) {
              ModeResult mr = r.modes().get(m);
              sb.append("| ")
                  .append(r.testCase().number())
                  .append(" | ")
                  .append(r.testCase().block())
                  .append(" | ")
                  .append(r.testCase().name().replace("|", "\\|"))
                  .append(" | ")
                  .append(mr.passed() ? "pass" : "**FAIL**")
                  .append(" | ")
                  .append(
                      java.time.format.DateTimeFormatter.ISO_LOCAL_TIME.format(
                          r.started().atZone(java.time.ZoneOffset.UTC).toLocalTime().withNano(0)))
                  .append(" | ")
                  .append(String.format("%.1f", r.millis() / 1000.0))
                  .append(" | ")
                  .append(
                      mr.retriedPairs() == 0
                          ? "0"
                          : mr.retriedPairs() + " (" + mr.settleMillis() + ")")
                  .append(" | ")
                  .append(mr.firstTryWrong())
                  .append(" | ")
                  .append(mr.passed() ? "" : mr.differingCells(30).replace("|", "\\|"))
                  .append(" |\n");
            }
          }
        });
    sb.append("\n## Matrices of failing steps\n");
    for (CaseResult r : results) {
      for (Mode m : Mode.values()) {
        for (StepResult s : r.modes().get(m).steps()) {
          if (!s.wrong().isEmpty()) {
            sb.append("\n### #")
                .append(r.testCase().number())
                .append(' ')
                .append(r.testCase().name())
                .append(" — ")
                .append(r.backend())
                .append('/')
                .append(r.family())
                .append('/')
                .append(m)
                .append(", ")
                .append(s.what())
                .append("\n\nexpected:\n```\n")
                .append(s.expectedTable())
                .append("```\nobserved:\n```\n")
                .append(s.observedTable())
                .append("```\n");
          }
        }
      }
    }
    return sb.toString();
  }

  public synchronized String csv() {
    StringBuilder sb =
        new StringBuilder(
            "backend,family,mode,number,block,name,result,started,seconds,"
                + "pairs_retried,settle_ms,first_try_misses,differing_cells\n");
    for (CaseResult r : results) {
      for (Mode m : Mode.values()) {
        ModeResult mr = r.modes().get(m);
        sb.append(r.backend())
            .append(',')
            .append(r.family())
            .append(',')
            .append(m)
            .append(',')
            .append(r.testCase().number())
            .append(',')
            .append(r.testCase().block())
            .append(',')
            .append(quote(r.testCase().name()))
            .append(',')
            .append(mr.passed() ? "pass" : "fail")
            .append(',')
            .append(r.started())
            .append(',')
            .append(String.format("%.2f", r.millis() / 1000.0))
            .append(',')
            .append(mr.retriedPairs())
            .append(',')
            .append(mr.settleMillis())
            .append(',')
            .append(mr.firstTryWrong())
            .append(',')
            .append(quote(mr.passed() ? "" : mr.differingCells(1000)))
            .append('\n');
      }
    }
    return sb.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  public synchronized void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("report.md"), markdown());
    Files.writeString(dir.resolve("report.csv"), csv());
  }
}
