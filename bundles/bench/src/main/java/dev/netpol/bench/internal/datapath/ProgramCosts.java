package dev.netpol.bench.internal.datapath;

import static dev.netpol.bench.internal.Report.d;
import static dev.netpol.bench.internal.Report.fmt;

import dev.netpol.backend.ebpf.ProgramCost;
import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Charts;
import dev.netpol.bench.internal.Report;
import dev.netpol.bench.internal.Stats;
import dev.netpol.bench.internal.Table;
import dev.netpol.ebpf.sdk.BpfProgram;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The eBPF programs' own cost at each point, from the kernel's run-time statistics while iperf3 and
 * then sockperf run through the setup's pair: nanoseconds per run and the share of one CPU. This
 * resolves what end-to-end throughput on a shared 2-core machine cannot (its rounds vary by several
 * percent): whether the programs get slower as the policy grows.
 */
final class ProgramCosts {
  private ProgramCosts() {}

  /** Measures every setup whose server's veth runs netpol's eBPF programs. */
  static void measure(
      BenchContext ctx, DatapathSuite.Point p, List<Setup> setups, Tools tools, Table out)
      throws Exception {
    int seconds = ctx.size.toolSeconds();
    for (Setup s : setups) {
      if (s.backend == null || !s.backend.name().equals("ebpf")) {
        continue;
      }
      List<BpfProgram> progs = ProgramCost.attachedTo(s.server.hostVeth());
      try {
        if (progs.isEmpty()) {
          continue;
        }
        for (String traffic : List.of("iperf3", "sockperf")) {
          List<ProgramCost> costs =
              ProgramCost.measure(
                  progs,
                  () -> {
                    if (traffic.equals("iperf3")) {
                      tools.iperf(s.client.netns(), s.server.ipv4(), seconds);
                    } else {
                      tools.sockperf(s.client.netns(), s.server.ipv4(), seconds);
                    }
                  });
          for (int i = 0; i < progs.size(); i++) {
            ProgramCost c = costs.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("peers", p.peers());
            row.put("port_ranges", p.ranges());
            row.put("setup", s.name);
            row.put("traffic", traffic);
            row.put("program", progs.get(i).info().name());
            row.put("runs", c.runs());
            row.put("runs_per_s", c.runsPerSecond());
            row.put("ns_per_run", c.nsPerRun());
            row.put("cpu_percent", 100 * c.cpuShare());
            out.add(row);
          }
        }
      } finally {
        progs.forEach(BpfProgram::close);
      }
    }
  }

  /** The report section, a plot along the peer axis, and the flatness figure. */
  static void write(BenchContext ctx, Table costs) throws IOException {
    if (costs.isEmpty()) {
      return;
    }
    costs.write(ctx.out);
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> r : costs.rows()) {
      rows.add(
          List.of(
              String.valueOf(r.get("peers")),
              String.valueOf(r.get("port_ranges")),
              (String) r.get("setup"),
              (String) r.get("traffic"),
              (String) r.get("program"),
              fmt(d(r, "runs_per_s"), 0),
              fmt(d(r, "ns_per_run"), 1),
              fmt(d(r, "cpu_percent"), 2) + " %"));
    }
    Map<String, List<Charts.Point>> series = new LinkedHashMap<>();
    for (Map<String, Object> r :
        costs.rows(x -> Objects.equals(1, x.get("port_ranges")) && "ebpf".equals(x.get("setup")))) {
      series
          .computeIfAbsent(r.get("program") + ", " + r.get("traffic"), k -> new ArrayList<>())
          .add(
              new Charts.Point(
                  (Integer) r.get("peers"),
                  d(r, "ns_per_run"),
                  d(r, "ns_per_run"),
                  d(r, "ns_per_run")));
    }
    String plot = "datapath-program-ns-by-peers.png";
    boolean plotted = series.values().stream().anyMatch(v -> v.size() >= 2);
    if (plotted) {
      Charts.lines(
          ctx.out.resolve(plot),
          "eBPF program time per packet by peers in the server's policy",
          "kernel run-time statistics (BPF_ENABLE_STATS) during iperf3 and sockperf; 1 port range",
          "peer CIDRs",
          "ns per program run",
          true,
          series);
    }
    StringBuilder b = new StringBuilder("### eBPF program cost\n\n");
    b.append(
        """
        After each point's rounds, the kernel's run-time statistics are turned on while iperf3
        and then sockperf run once more through each pair whose veths run netpol's programs
        (both programs are shared by every pod of the node, so a run is one packet through one
        hook of either pod of the pair). ns per run is the kernel's own accounting (plus two
        clock reads per run); CPU is the time in the program as a share of one CPU over the
        window. Unlike end-to-end throughput, these do not vary by several percent between
        rounds.

        """);
    b.append(
        Report.table(
            List.of(
                "peers",
                "port ranges",
                "setup",
                "traffic",
                "program",
                "runs/s",
                "ns per run",
                "CPU (one core)"),
            rows));
    if (plotted) {
      b.append("\n![").append(plot).append("](").append(plot).append(")\n");
    }
    ctx.report.section(b.toString());
  }

  /** (max − min) / median of the enforcing setup's ns per run along the peer axis, per series. */
  static String flatness(Table costs) {
    List<String> parts = new ArrayList<>();
    for (String traffic : List.of("iperf3", "sockperf")) {
      for (String prog :
          costs.rows().stream().map(r -> (String) r.get("program")).distinct().toList()) {
        List<Double> v = new ArrayList<>();
        List<Integer> peers = new ArrayList<>();
        for (Map<String, Object> r :
            costs.rows(
                x ->
                    "ebpf".equals(x.get("setup"))
                        && Objects.equals(1, x.get("port_ranges"))
                        && traffic.equals(x.get("traffic"))
                        && prog.equals(x.get("program")))) {
          v.add(d(r, "ns_per_run"));
          peers.add((Integer) r.get("peers"));
        }
        if (v.size() >= 2) {
          Stats st = Stats.of(v);
          parts.add(
              prog
                  + " under "
                  + traffic
                  + " "
                  + fmt(st.min(), 0)
                  + "–"
                  + fmt(st.max(), 0)
                  + " ns per run over "
                  + peers
                  + " peers");
        }
      }
    }
    return String.join("; ", parts);
  }
}
