package dev.netpol.bench.internal.programming;

import static dev.netpol.bench.internal.Report.d;
import static dev.netpol.bench.internal.Report.fmt;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Charts;
import dev.netpol.bench.internal.Report;
import dev.netpol.bench.internal.Stats;
import dev.netpol.bench.internal.Table;
import dev.netpol.bench.internal.cluster.ClusterFixture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Summaries, plots, report section and targets of {@code bench programming}. */
final class ProgrammingReport {
  private ProgrammingReport() {}

  static List<Double> values(
      Table t, String column, java.util.function.Predicate<Map<String, Object>> f) {
    List<Double> v = new ArrayList<>();
    for (Map<String, Object> r : t.rows(f)) {
      if (r.get(column) instanceof Number n && !Double.isNaN(n.doubleValue())) {
        v.add(n.doubleValue());
      }
    }
    return v;
  }

  static String changeHeadline(Table changes, String backend) {
    List<Double> v = values(changes, "from_api_write_ms", r -> backend.equals(r.get("backend")));
    long failed =
        changes
            .rows(r -> backend.equals(r.get("backend")) && Boolean.FALSE.equals(r.get("enforced")))
            .size();
    return String.format(
        "%d changes: enforced p50 %s ms, p99 %s ms after the API write%s",
        v.size(),
        fmt(Stats.quantile(v, 0.5), 0),
        fmt(Stats.quantile(v, 0.99), 0),
        failed > 0 ? ", " + failed + " NOT enforced within 15 s" : "");
  }

  static String firstHeadline(Table first, String backend, int repeat) {
    return first
        .rows(r -> backend.equals(r.get("backend")) && Objects.equals(repeat, r.get("repeat")))
        .stream()
        .findFirst()
        .map(
            r ->
                "enforced "
                    + fmt(d(r, "from_api_write_ms"), 0)
                    + " ms after the API write ("
                    + fmt(d(r, "from_kubectl_start_ms"), 0)
                    + " ms after kubectl started)")
        .orElse("no result");
  }

  static void write(
      BenchContext ctx,
      ClusterFixture cluster,
      Table changes,
      Table connects,
      Table slow,
      Table samples,
      Table cold,
      Table first,
      Table rules)
      throws IOException {
    List<String> plots = new ArrayList<>();
    StringBuilder b = new StringBuilder("## Programming\n\n");
    b.append(
        """
        **Method.** Driven as a user drives netpol: `bin/netpol standalone` (node `bench-api`:
        embedded API and controller, no pods) and, per backend, `bin/netpol node --backend B`
        (node `bench-node`, fresh bpffs root) against its kubeconfig; lab pods registered in the
        API; policies applied with `kubectl`. The node holds %d pods and %d policies (%d rules:
        each filler policy selects one pod with one pod-selector rule and /32 ipBlock rules).
        *Cold node*: from the node process's start (and from its agent's cache sync) until its
        metrics report every pod programmed. *Policy change*: `kubectl apply` of a policy that
        alternately lets `cli` reach `srv:80` and names no pod; `cli` opens a new connection every
        2 ms (50 ms timeout), and the change counts as enforced at the start of the first attempt
        from which on every attempt has the new verdict — so figures are exact to about 2 ms (+
        up to 50 ms for closing, where the verdict is a timeout). Measured from the API's answer
        to kubectl's write (`kubectl apply -v=6` logs it; the change is stored then) and from
        kubectl's start (kubectl's own start-up, discovery and GET take 100–400 ms here). The last quarter of the changes is followed immediately by `bin/netpol lab probe`
        (a JVM start), as a user checks a change. *First policy*: a fresh standalone, two pods,
        and a default-deny applied as soon as the agent has programmed them. *N rules*: the
        backend's `apply` in the bench process on a kernel-only pod (one /32 peer and one port
        per rule). The allowed client `always` connects every 20 ms (3 s timeout) throughout;
        a capture of the server's veth and a 100 ms sampler of CPU pressure, steal and softnet
        counters explain the slow connections.
        """
            .formatted(cluster.pods, cluster.policies, cluster.rules));

    // policy change latency
    List<List<String>> rows = new ArrayList<>();
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    for (String backend : ctx.backends) {
      for (String col : List.of("from_api_write_ms", "from_kubectl_start_ms")) {
        List<Double> v = values(changes, col, r -> backend.equals(r.get("backend")));
        long failed =
            changes
                .rows(
                    r ->
                        backend.equals(r.get("backend")) && Boolean.FALSE.equals(r.get("enforced")))
                .size();
        String from = col.contains("api") ? "API write" : "kubectl start";
        rows.add(
            List.of(
                backend,
                from,
                String.valueOf(v.size()),
                fmt(Stats.quantile(v, 0.5), 0),
                fmt(Stats.quantile(v, 0.99), 0),
                fmt(v.stream().mapToDouble(x -> x).max().orElse(Double.NaN), 0),
                String.valueOf(failed)));
        Map<String, Double> m = bars.computeIfAbsent(backend, k -> new LinkedHashMap<>());
        m.put("p50 from " + from, Stats.quantile(v, 0.5));
        m.put("p99 from " + from, Stats.quantile(v, 0.99));
      }
    }
    b.append("\n**Policy change → enforced on real packets**\n\n");
    b.append(
        Report.table(
            List.of(
                "backend", "from", "changes", "p50 ms", "p99 ms", "max ms", "not enforced in 15 s"),
            rows));
    Charts.bars(
        ctx.out.resolve("programming-change-latency.png"),
        "Policy change → enforced on real packets",
        cluster.pods + " pods, " + cluster.policies + " policies on the node",
        "",
        "ms",
        bars);
    plots.add("programming-change-latency.png");

    // cold node
    b.append("\n**Cold node** (every pod programmed by a node process started with nothing)\n\n");
    rows = new ArrayList<>();
    for (Map<String, Object> r : cold.rows()) {
      rows.add(
          List.of(
              (String) r.get("backend"),
              String.valueOf(r.get("pods")),
              fmt(d(r, "start_to_synced_s"), 2),
              fmt(d(r, "synced_to_programmed_s"), 2),
              fmt(d(r, "start_to_programmed_s"), 2),
              fmt(d(r, "rss_mib"), 0)));
    }
    b.append(
        Report.table(
            List.of(
                "backend",
                "pods",
                "start → synced s",
                "synced → all programmed s",
                "start → all programmed s",
                "RSS MiB"),
            rows));

    // first policy
    b.append(
        "\n**First policy after start** (fresh standalone each run; then the README's next step:"
            + " a policy letting the clients in, and at once a probe as the user runs it)\n\n");
    rows = new ArrayList<>();
    for (Map<String, Object> r : first.rows()) {
      rows.add(
          List.of(
              (String) r.get("backend"),
              String.valueOf(r.get("repeat")),
              fmt(d(r, "start_to_pods_programmed_s"), 2),
              fmt(d(r, "kubectl_ms"), 0),
              fmt(d(r, "from_api_write_ms"), 0),
              fmt(d(r, "from_kubectl_start_ms"), 0),
              fmt(d(r, "allow_from_api_write_ms"), 0),
              fmt(d(r, "user_probe_ms"), 0)
                  + (Boolean.TRUE.equals(r.get("user_probe_connected")) ? "" : " (blocked)"),
              fmt(d(r, "allow_enforced_ms_after_probe_start"), 0),
              String.valueOf(r.get("user_probe_packets"))));
    }
    b.append(
        Report.table(
            List.of(
                "backend",
                "run",
                "start → pods programmed s",
                "kubectl ms",
                "deny enforced after API write ms",
                "after kubectl start ms",
                "allow enforced after API write ms",
                "user probe ms",
                "allow enforced (ms after probe start)",
                "user's packets at srv veth (ms after probe start)"),
            rows));
    long slowProbes = first.rows(r -> d(r, "user_probe_ms") >= 1000).size();
    b.append(
        "\nUser probes right after the allowing policy that took ≥ 1 s: **"
            + slowProbes
            + " of "
            + first.rows().size()
            + "**. The probe's packets are as the server's veth saw them: a SYN dropped by the"
            + " policy is not seen there, so a first visible SYN about 1 s after the probe started"
            + " is TCP's retransmission of a SYN sent before the allow was enforced.\n");

    // rules
    b.append("\n**Programming N rules in the backend** (median of the repeats, ms)\n\n");
    rows = new ArrayList<>();
    Map<String, List<Charts.Point>> lines = new LinkedHashMap<>();
    for (String backend : ctx.backends) {
      for (Map<String, Object> r :
          rules.rows(x -> backend.equals(x.get("backend")) && Objects.equals(0, x.get("rules")))) {
        rows.add(List.of(backend, "–", (String) r.get("step"), fmt(d(r, "ms"), 1)));
      }
      for (String step : List.of("from scratch", "one-rule change", "remove")) {
        List<Charts.Point> pts = new ArrayList<>();
        for (int n : ctx.size.ruleCounts()) {
          Stats s =
              Stats.of(
                  values(
                      rules,
                      "ms",
                      x ->
                          backend.equals(x.get("backend"))
                              && step.equals(x.get("step"))
                              && Objects.equals(n, x.get("rules"))));
          rows.add(
              List.of(
                  backend,
                  String.valueOf(n),
                  step,
                  fmt(s.median(), 1) + " (" + fmt(s.min(), 1) + "–" + fmt(s.max(), 1) + ")"));
          pts.add(new Charts.Point(n, s.median(), s.min(), s.max()));
        }
        if (!step.equals("remove")) {
          lines.put(backend + " " + step, pts);
        }
      }
    }
    b.append(Report.table(List.of("backend", "rules", "step", "ms (min–max)"), rows));
    Charts.lines(
        ctx.out.resolve("programming-rules.png"),
        "Programming N rules into one pod",
        "backend apply() in-process; rule = one /32 peer + one TCP port",
        "rules",
        "ms",
        true,
        lines);
    plots.add("programming-rules.png");

    // allowed connections around changes
    b.append("\n**Connect time of an allowed client around changes**\n\n");
    rows = new ArrayList<>();
    Map<String, List<double[]>> scatter = new LinkedHashMap<>();
    for (String backend : ctx.backends) {
      for (String phase : List.of("before changes", "kubectl", "kubectl + lab probe")) {
        List<Map<String, Object>> rs =
            connects.rows(r -> backend.equals(r.get("backend")) && phase.equals(r.get("phase")));
        if (rs.isEmpty()) {
          continue;
        }
        List<Double> ms = new ArrayList<>();
        long timeouts = 0;
        for (Map<String, Object> r : rs) {
          if ("ok".equals(r.get("result"))) {
            ms.add(d(r, "connect_ms"));
          } else {
            timeouts++;
          }
          if (!phase.equals("before changes")) {
            scatter
                .computeIfAbsent(backend + " (" + phase + ")", k -> new ArrayList<>())
                .add(new double[] {d(r, "since_change_s"), d(r, "connect_ms")});
          }
        }
        rows.add(
            List.of(
                backend,
                phase,
                String.valueOf(rs.size()),
                fmt(Stats.quantile(ms, 0.5), 2),
                fmt(Stats.quantile(ms, 0.99), 2),
                fmt(ms.stream().mapToDouble(x -> x).max().orElse(Double.NaN), 1),
                String.valueOf(ms.stream().filter(x -> x >= 200).count()),
                String.valueOf(ms.stream().filter(x -> x >= 1000).count()),
                String.valueOf(timeouts)));
      }
    }
    b.append(
        Report.table(
            List.of(
                "backend",
                "phase",
                "connections",
                "p50 ms",
                "p99 ms",
                "max ms",
                "≥ 200 ms",
                "≥ 1 s",
                "failed"),
            rows));
    Charts.scatter(
        ctx.out.resolve("programming-allowed-connects.png"),
        "Connect time of an always-allowed client around policy changes",
        "one point per connection; x = seconds since the last kubectl apply started",
        "seconds since the change",
        "connect time (ms)",
        true,
        scatter);
    plots.add("programming-allowed-connects.png");
    b.append("\n").append(slowSection(slow, samples)).append("\n");
    for (String p : plots) {
      b.append("![").append(p).append("](").append(p).append(")\n");
    }
    b.append(
        "\nRaw: `programming.csv` (each change), `programming-connects.csv`, `programming-slow-connects.csv`, "
            + "`programming-samples.csv` (100 ms: PSI, steal, softnet), `programming-cold-node.csv`, "
            + "`programming-first-policy.csv`, `programming-rules.csv`; logs in `logs/`.\n");
    ctx.report.section(b.toString());
    targets(ctx, cluster, changes, cold, first);
  }

  /** Slow or failed allowed connections, each with its capture and the CPU state around it. */
  static String slowSection(Table slow, Table samples) {
    List<Map<String, Object>> rs = slow.rows();
    if (rs.isEmpty()) {
      return "No allowed connection took 200 ms or more.\n";
    }
    StringBuilder b =
        new StringBuilder(
            "Allowed connections that took ≥ 200 ms or failed (at most 30 shown):\n\n");
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> r : rs.subList(0, Math.min(30, rs.size()))) {
      long start = ((Number) r.get("t_nanos")).longValue();
      long end = start + (long) (d(r, "connect_ms") * 1e6) + 100_000_000L;
      double psiMs = 0;
      double steal = 0;
      double squeezed = 0;
      for (Map<String, Object> s : samples.rows(x -> r.get("backend").equals(x.get("tag")))) {
        long t = ((Number) s.get("t_nanos")).longValue();
        if (t >= start && t <= end) {
          psiMs += d(s, "psi_some_us") / 1000;
          steal += d(s, "steal_ticks") * 10;
          squeezed += d(s, "softnet_squeezed") + d(s, "softnet_dropped");
        }
      }
      rows.add(
          List.of(
              (String) r.get("backend"),
              (String) r.get("phase"),
              fmt(d(r, "since_change_s"), 2),
              fmt(d(r, "connect_ms"), 0),
              (String) r.get("result"),
              String.valueOf(r.get("syn_ms")),
              String.valueOf(r.get("synack_ms")),
              (String) r.get("explained"),
              fmt(psiMs, 0),
              fmt(steal, 0),
              fmt(squeezed, 0)));
    }
    b.append(
        Report.table(
            List.of(
                "backend",
                "phase",
                "s after change",
                "connect ms",
                "result",
                "SYNs at ms",
                "SYN-ACKs at ms",
                "where the time went",
                "CPU pressure stall ms",
                "steal ms",
                "softnet drops+squeezes"),
            rows));
    return b.toString();
  }

  static void targets(
      BenchContext ctx, ClusterFixture cluster, Table changes, Table cold, Table first) {
    boolean full = cluster.pods >= 110 && cluster.policies >= 1000;
    for (String backend : ctx.backends) {
      List<Double> v = values(changes, "from_api_write_ms", r -> backend.equals(r.get("backend")));
      double p99 = Stats.quantile(v, 0.99);
      long failed =
          changes
              .rows(
                  r -> backend.equals(r.get("backend")) && Boolean.FALSE.equals(r.get("enforced")))
              .size();
      ctx.report.target(
          "Policy change → enforced (" + backend + ")",
          "p99 ≤ 100 ms at 110 pods / 1,000 policies",
          "p99 "
              + fmt(p99, 0)
              + " ms (p50 "
              + fmt(Stats.quantile(v, 0.5), 0)
              + " ms) over "
              + v.size()
              + " changes, from the API write"
              + (failed > 0 ? "; " + failed + " not enforced" : ""),
          !full
              ? Report.Verdict.NOT_MEASURED
              : p99 <= 100 && failed == 0 ? Report.Verdict.MET : Report.Verdict.MISSED,
          full ? "" : "quick run: " + cluster.pods + " pods, " + cluster.policies + " policies");
      List<Double> f = values(first, "from_api_write_ms", r -> backend.equals(r.get("backend")));
      double worst = f.stream().mapToDouble(x -> x).max().orElse(Double.NaN);
      ctx.report.target(
          "First policy after start (" + backend + ")",
          "≤ 500 ms",
          "worst "
              + fmt(worst, 0)
              + " ms, median "
              + fmt(Stats.quantile(f, 0.5), 0)
              + " ms of "
              + f.size()
              + " fresh starts",
          f.isEmpty()
              ? Report.Verdict.NOT_MEASURED
              : worst <= 500 ? Report.Verdict.MET : Report.Verdict.MISSED,
          "from the API write");
      for (Map<String, Object> r : cold.rows(x -> backend.equals(x.get("backend")))) {
        double s = d(r, "start_to_programmed_s");
        ctx.report.target(
            "Cold node, 110 pods programmed (" + backend + ")",
            "≤ 5 s",
            fmt(s, 2)
                + " s from process start ("
                + fmt(d(r, "synced_to_programmed_s"), 2)
                + " s after the agent's sync), "
                + r.get("pods")
                + " pods",
            cluster.pods < 110
                ? Report.Verdict.NOT_MEASURED
                : s <= 5 ? Report.Verdict.MET : Report.Verdict.MISSED,
            "");
      }
    }
  }
}
