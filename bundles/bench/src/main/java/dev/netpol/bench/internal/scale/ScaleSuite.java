package dev.netpol.bench.internal.scale;

import static dev.netpol.bench.internal.Report.d;
import static dev.netpol.bench.internal.Report.fmt;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Charts;
import dev.netpol.bench.internal.Report;
import dev.netpol.bench.internal.Suite;
import dev.netpol.bench.internal.Table;
import dev.netpol.bench.internal.cluster.ClusterFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench scale}: the agent's memory at 110 pods and 10k rules, idle and under churn, per
 * backend; the controller with 50k pods and 5k policies (full resolution, one label change, heap).
 */
public final class ScaleSuite implements Suite {
  @Override
  public String name() {
    return "scale";
  }

  @Override
  public String summary() {
    return "agent RSS at 110 pods / 10k rules idle and under churn; controller at 50k pods / 5k policies";
  }

  @Override
  public void plan(BenchContext ctx) {
    ctx.progress.plan(ctx.backends.size(), ctx.size.churnSeconds() + (ctx.size.full() ? 60 : 20));
    if (!ctx.agentOnly) {
      ctx.progress.plan(1, ctx.size.full() ? 900 : 40);
    }
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Table agent = new Table("scale");
    ClusterFixture cluster = ClusterFixture.get(ctx);
    for (String backend : ctx.backends) {
      long t = System.nanoTime();
      AgentMemory.run(ctx, cluster, backend, agent);
      agent.write(ctx.out);
      Map<String, Object> r = agent.rows().get(agent.rows().size() - 1);
      ctx.progress.done(
          name(),
          backend + " agent memory",
          ctx.size.churnSeconds() + (ctx.size.full() ? 60 : 20),
          String.format(
              "RSS idle %s MiB, under churn max %s MiB (%s edits), live heap %s MiB (%.0f s)",
              fmt(d(r, "rss_idle_mib"), 0),
              fmt(d(r, "rss_churn_max_mib"), 0),
              r.get("churn_edits"),
              fmt(d(r, "live_heap_idle_mib"), 0),
              (System.nanoTime() - t) / 1e9));
    }
    Table controller = new Table("scale-controller");
    if (ctx.agentOnly) {
      report(ctx, cluster, agent, controller);
      return;
    }
    Table labelChanges = new Table("scale-controller-label-changes");
    long t = System.nanoTime();
    try {
      ControllerScale.run(ctx, controller, labelChanges);
    } finally {
      controller.write(ctx.out);
      labelChanges.write(ctx.out);
    }
    Map<String, Object> c = controller.rows().get(0);
    ctx.progress.done(
        name(),
        "controller " + c.get("pods") + " pods / " + c.get("policies") + " policies",
        ctx.size.full() ? 900 : 40,
        String.format(
            "resolved in %s s, label change p50 %s ms, live heap %s MiB (%.0f s)",
            fmt(d(c, "full_resolution_s"), 1),
            fmt(d(c, "label_change_p50_ms"), 0),
            fmt(d(c, "controller_live_heap_mib"), 0),
            (System.nanoTime() - t) / 1e9));
    report(ctx, cluster, agent, controller);
  }

  static void report(BenchContext ctx, ClusterFixture cluster, Table agent, Table controller)
      throws java.io.IOException {
    StringBuilder b = new StringBuilder("## Scale\n\n");
    b.append(
        """
        **Agent memory.** The `bin/netpol node` process of the programming suite's node (agent
        and backend only; default JVM options of `bin/netpol`), started cold on %d pods, %d
        policies and %d rules. RSS (VmRSS) sampled every 500 ms while idle, then for %d s while
        the API receives ten edits a second (a filler pod's `role` label — a peer of other
        policies — and a filler policy's port, alternately), then idle again. Live heap: after
        `jcmd GC.run`.

        """
            .formatted(cluster.pods, cluster.policies, cluster.rules, ctx.size.churnSeconds()));
    List<List<String>> rows = new ArrayList<>();
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    for (Map<String, Object> r : agent.rows()) {
      String backend = (String) r.get("backend");
      rows.add(
          List.of(
              backend,
              String.valueOf(r.get("pods")),
              String.valueOf(r.get("rules")),
              fmt(d(r, "rss_idle_mib"), 0),
              fmt(d(r, "rss_churn_max_mib"), 0),
              fmt(d(r, "rss_after_churn_mib"), 0),
              fmt(d(r, "live_heap_idle_mib"), 0),
              fmt(d(r, "live_heap_after_churn_mib"), 0),
              String.valueOf(r.get("churn_edits")),
              fmt(d(r, "cold_start_s"), 2)));
      Map<String, Double> m = bars.computeIfAbsent(backend, k -> new LinkedHashMap<>());
      m.put("RSS idle", d(r, "rss_idle_mib"));
      m.put("RSS under churn (max)", d(r, "rss_churn_max_mib"));
      m.put("live heap", d(r, "live_heap_idle_mib"));
    }
    b.append(
        Report.table(
            List.of(
                "backend",
                "pods",
                "rules",
                "RSS idle MiB",
                "RSS churn max MiB",
                "RSS after MiB",
                "live heap MiB",
                "live heap after churn MiB",
                "edits",
                "cold start s"),
            rows));
    Charts.bars(
        ctx.out.resolve("scale-agent-memory.png"),
        "Agent process memory (bin/netpol node)",
        cluster.pods + " pods, " + cluster.rules + " rules",
        "",
        "MiB",
        bars);
    b.append("\n![scale-agent-memory.png](scale-agent-memory.png)\n\n");
    if (!controller.rows().isEmpty()) {
      controllerSection(b, controller.rows().get(0));
    } else {
      b.append("\nRaw: `scale.csv` (agent; the controller was not measured: `--agent-only`).\n");
    }
    ctx.report.section(b.toString());

    boolean full = cluster.pods >= 110 && cluster.rules >= 10_000;
    for (Map<String, Object> r : agent.rows()) {
      String backend = (String) r.get("backend");
      double idle = d(r, "rss_idle_mib");
      double churn = d(r, "rss_churn_max_mib");
      ctx.report.target(
          "Agent RSS idle (" + backend + ")",
          "≤ 150 MB (MiB) at 110 pods, 10k rules",
          fmt(idle, 0) + " MiB at " + r.get("pods") + " pods, " + r.get("rules") + " rules",
          !full
              ? Report.Verdict.NOT_MEASURED
              : idle <= 150 ? Report.Verdict.MET : Report.Verdict.MISSED,
          "RSS of the bin/netpol node process");
      ctx.report.target(
          "Agent RSS under churn (" + backend + ")",
          "≤ 200 MB (MiB)",
          fmt(churn, 0) + " MiB max during " + r.get("churn_edits") + " edits",
          !full
              ? Report.Verdict.NOT_MEASURED
              : churn <= 200 ? Report.Verdict.MET : Report.Verdict.MISSED,
          "");
    }
    if (!controller.rows().isEmpty()) {
      controllerTarget(ctx, controller.rows().get(0));
    }
  }

  private static void controllerSection(StringBuilder b, Map<String, Object> c) {
    b.append(
        """
        **Controller.** `bin/netpol start api` (the embedded API alone) loaded over HTTP with %s
        pods (%s namespaces, %s nodes, each pod with an IP and a named port) and %s policies
        (each selects the pods of one `app` label in its namespace and admits one `tier` from
        its own and the next namespace on a named port and 443); then `bin/netpol controller`
        starts. *Full resolution*: from the controller process's start until a PolicyEndpoint of
        every policy has been written (a watch opened before it started). *Label change*: one
        pod's `app` label moves it from one policy's selection to another's; timed from the
        PATCH until both policies' PolicyEndpoints have been rewritten.

        """
            .formatted(c.get("pods"), c.get("namespaces"), c.get("nodes"), c.get("policies")));
    b.append(
        Report.table(
            List.of("", "value"),
            List.of(
                List.of("pods loaded (s)", fmt(d(c, "pods_load_s"), 1)),
                List.of("policies loaded (s)", fmt(d(c, "policies_load_s"), 1)),
                List.of("controller start → all resolved (s)", fmt(d(c, "full_resolution_s"), 1)),
                List.of(
                    "label change → PolicyEndpoints written p50 (ms)",
                    fmt(d(c, "label_change_p50_ms"), 0)),
                List.of("… p99 (ms)", fmt(d(c, "label_change_p99_ms"), 0)),
                List.of("… max (ms)", fmt(d(c, "label_change_max_ms"), 0)),
                List.of("controller live heap (MiB)", fmt(d(c, "controller_live_heap_mib"), 0)),
                List.of("controller RSS (MiB)", fmt(d(c, "controller_rss_mib"), 0)))));
    b.append(
        "\nRaw: `scale.csv` (agent), `scale-controller.csv`, `scale-controller-label-changes.csv`.\n");
  }

  private static void controllerTarget(BenchContext ctx, Map<String, Object> c) {
    boolean fullController = d(c, "pods") >= 50_000;
    double p99 = d(c, "label_change_p99_ms");
    ctx.report.target(
        "Controller: one label change re-resolved and written",
        "≤ 50 ms at 50k pods / 5k policies",
        "p99 "
            + fmt(p99, 0)
            + " ms (p50 "
            + fmt(d(c, "label_change_p50_ms"), 0)
            + " ms); full resolution "
            + fmt(d(c, "full_resolution_s"), 1)
            + " s",
        !fullController
            ? Report.Verdict.NOT_MEASURED
            : p99 <= 50 ? Report.Verdict.MET : Report.Verdict.MISSED,
        "from the pod PATCH to both PolicyEndpoints rewritten, seen by a watch");
  }
}
