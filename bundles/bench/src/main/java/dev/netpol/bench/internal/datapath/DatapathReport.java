package dev.netpol.bench.internal.datapath;

import static dev.netpol.bench.internal.Report.d;
import static dev.netpol.bench.internal.Report.fmt;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Charts;
import dev.netpol.bench.internal.Report;
import dev.netpol.bench.internal.Stats;
import dev.netpol.bench.internal.Table;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Summaries, plots, the report section and the targets of {@code bench datapath}. */
final class DatapathReport {
  /** Metric column, label, unit, whether higher is better. */
  record Metric(String column, String label, String unit, boolean higherIsBetter) {}

  static final List<Metric> METRICS =
      List.of(
          new Metric("gbps", "TCP throughput", "Gbit/s", true),
          new Metric("rtt_p50_us", "round trip p50", "µs", false),
          new Metric("rtt_p99_us", "round trip p99", "µs", false),
          new Metric("conn_per_s", "new connections", "per s", true));

  private DatapathReport() {}

  /** Rounds of one setup at one point that produced numbers. */
  static List<Map<String, Object>> rounds(Table raw, String setup, int peers, int ranges) {
    return raw.rows(
        r ->
            setup.equals(r.get("setup"))
                && Objects.equals(peers, r.get("peers"))
                && Objects.equals(ranges, r.get("port_ranges"))
                && !r.containsKey("error"));
  }

  static Stats stats(Table raw, String setup, int peers, int ranges, String column) {
    List<Double> v = new ArrayList<>();
    for (Map<String, Object> r : rounds(raw, setup, peers, ranges)) {
      if (r.get(column) instanceof Number n) {
        v.add(n.doubleValue());
      }
    }
    return Stats.of(v);
  }

  /** The progress line of a point: each setup's throughput and p50 relative to bare. */
  static String headline(Table raw, String axis, int peers, int ranges) {
    Stats bareT = stats(raw, "bare", peers, ranges, "gbps");
    Stats bareL = stats(raw, "bare", peers, ranges, "rtt_p50_us");
    StringBuilder b =
        new StringBuilder(
            "bare " + fmt(bareT.median(), 1) + " Gbit/s, p50 " + fmt(bareL.median(), 1) + " µs");
    List<String> setups = raw.rows().stream().map(r -> (String) r.get("setup")).distinct().toList();
    for (String s : setups) {
      if (s.equals("bare")) {
        continue;
      }
      Stats t = stats(raw, s, peers, ranges, "gbps");
      Stats l = stats(raw, s, peers, ranges, "rtt_p50_us");
      b.append("; ")
          .append(s)
          .append(' ')
          .append(fmt(100 * t.median() / bareT.median(), 1))
          .append("% ")
          .append(l.median() - bareL.median() >= 0 ? "+" : "")
          .append(fmt(l.median() - bareL.median(), 1))
          .append(" µs");
    }
    long errors =
        raw.rows(
                r ->
                    Objects.equals(peers, r.get("peers"))
                        && Objects.equals(ranges, r.get("port_ranges"))
                        && r.containsKey("error"))
            .size();
    if (errors > 0) {
      b.append("; ").append(errors).append(" failed runs");
    }
    return b.toString();
  }

  static void write(BenchContext ctx, Table raw, List<String> axes, List<Setup> setups, Table costs)
      throws IOException {
    List<String> names = setups.stream().map(s -> s.name).toList();
    Table summary = new Table("datapath-summary");
    List<int[]> points =
        raw.rows().stream()
            .map(r -> new int[] {(Integer) r.get("peers"), (Integer) r.get("port_ranges")})
            .filter(distinctBy())
            .toList();
    for (int[] p : points) {
      for (String s : names) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("peers", p[0]);
        row.put("port_ranges", p[1]);
        row.put("setup", s);
        row.put("rounds", rounds(raw, s, p[0], p[1]).size());
        for (Metric m : METRICS) {
          Stats st = stats(raw, s, p[0], p[1], m.column());
          Stats bare = stats(raw, "bare", p[0], p[1], m.column());
          row.put(m.column() + "_median", st.median());
          row.put(m.column() + "_min", st.min());
          row.put(m.column() + "_max", st.max());
          row.put(m.column() + "_vs_bare", st.median() / bare.median());
          if (m.column().startsWith("rtt")) {
            row.put(m.column() + "_added", st.median() - bare.median());
          }
        }
        row.put("load1_median", stats(raw, s, p[0], p[1], "load1").median());
        row.put("apply_ms_median", stats(raw, s, p[0], p[1], "apply_ms").median());
        summary.add(row);
      }
    }
    summary.write(ctx.out);

    List<String> plots = new ArrayList<>();
    for (String axis : List.of("peers", "port ranges")) {
      boolean byPeers = axis.equals("peers");
      List<int[]> along =
          points.stream()
              .filter(p -> byPeers ? p[1] == 1 : p[0] == 1)
              .sorted((a, b) -> byPeers ? a[0] - b[0] : a[1] - b[1])
              .toList();
      if (along.size() < 2) {
        continue;
      }
      for (Metric m : METRICS) {
        Map<String, List<Charts.Point>> series = new LinkedHashMap<>();
        for (String s : names) {
          List<Charts.Point> pts = new ArrayList<>();
          for (int[] p : along) {
            Stats st = stats(raw, s, p[0], p[1], m.column());
            pts.add(new Charts.Point(byPeers ? p[0] : p[1], st.median(), st.min(), st.max()));
          }
          series.put(s, pts);
        }
        String file =
            "datapath-"
                + m.column().replace("_us", "").replace("_", "-")
                + "-by-"
                + axis.replace(' ', '-')
                + ".png";
        Charts.lines(
            ctx.out.resolve(file),
            m.label() + " by " + axis + " in the server's policy",
            "median of "
                + ctx.size.rounds()
                + " interleaved rounds, bars: min..max; "
                + (byPeers ? "1 port range" : "1 peer CIDR"),
            byPeers ? "peer CIDRs" : "port ranges",
            m.label() + " (" + m.unit() + ")",
            true,
            series);
        plots.add(file);
      }
    }
    section(ctx, summary, names, plots);
    ProgramCosts.write(ctx, costs);
    targets(ctx, summary, points, ProgramCosts.flatness(costs));
  }

  private static java.util.function.Predicate<int[]> distinctBy() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    return p -> seen.add(p[0] + "/" + p[1]);
  }

  private static void section(
      BenchContext ctx, Table summary, List<String> names, List<String> plots) {
    StringBuilder b = new StringBuilder("## Datapath\n\n");
    b.append(
        """
        **Method.** Lab pods (network namespaces with a veth pair each, routed through the root
        namespace like a Calico-style CNI) made in the kernel only, one client/server pair per
        setup plus one pod outside every policy. The backends run inside the bench process (no
        API, controller or agent): that isolates the datapath, lets every round switch setups in
        milliseconds, and keeps a standalone node's service-proxy chains off the bare pair's path.
        Setups: **bare** (nothing of netpol on the veths), **no policy** (the eBPF programs
        attached to both veths, neither pod selected — what the agent programs in standard mode),
        and each **backend** enforcing on the server's ingress one rule with N peer CIDRs (host
        /32s in 10/8 that no packet uses, the client's address last) and M TCP port ranges (the
        measured ports in the last one); the client is unselected. State of backends that hook
        netfilter (iptables) is applied for its own phase of each round and removed after it,
        since netfilter rules sit on every pair's path.
        Each round visits every setup once, in an order rotated by one per round; before each
        measurement the client must reach the server's probe port and the outside pod must be
        blocked (bare and no policy: must not be). Per setup and round: iperf3 (one TCP stream,
        first second left out), sockperf ping-pong over TCP (64-byte messages, full round trip),
        and a JVM client opening and closing (RST) TCP connections as fast as it can (1 thread,
        warm-up excluded). Reported: median of the rounds, min..max, and the ratio of medians to
        bare from the same rounds ("added" = difference of medians).
        """);
    b.append("\n");
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> r : summary.rows()) {
      rows.add(
          List.of(
              String.valueOf(r.get("peers")),
              String.valueOf(r.get("port_ranges")),
              (String) r.get("setup"),
              String.valueOf(r.get("rounds")),
              fmt(d(r, "gbps_median"), 2)
                  + " ("
                  + fmt(d(r, "gbps_min"), 2)
                  + "–"
                  + fmt(d(r, "gbps_max"), 2)
                  + ")",
              fmt(100 * d(r, "gbps_vs_bare"), 1) + " %",
              fmt(d(r, "rtt_p50_us_median"), 1)
                  + " ("
                  + fmt(d(r, "rtt_p50_us_min"), 1)
                  + "–"
                  + fmt(d(r, "rtt_p50_us_max"), 1)
                  + ")",
              signed(d(r, "rtt_p50_us_added")),
              fmt(d(r, "rtt_p99_us_median"), 1),
              signed(d(r, "rtt_p99_us_added")),
              fmt(d(r, "conn_per_s_median"), 0)
                  + " ("
                  + fmt(d(r, "conn_per_s_min"), 0)
                  + "–"
                  + fmt(d(r, "conn_per_s_max"), 0)
                  + ")",
              fmt(100 * d(r, "conn_per_s_vs_bare"), 1) + " %",
              fmt(d(r, "load1_median"), 2)));
    }
    b.append(
        Report.table(
            List.of(
                "peers",
                "port ranges",
                "setup",
                "rounds",
                "Gbit/s (min–max)",
                "vs bare",
                "RTT p50 µs (min–max)",
                "added p50 µs",
                "RTT p99 µs",
                "added p99 µs",
                "conn/s (min–max)",
                "vs bare",
                "load"),
            rows));
    b.append("\n");
    for (String p : plots) {
      b.append("![").append(p).append("](").append(p).append(")\n");
    }
    b.append("\nRaw rounds: `datapath.csv`/`.json`; summary: `datapath-summary.csv`/`.json`.\n");
    ctx.report.section(b.toString());
  }

  private static void targets(
      BenchContext ctx, Table summary, List<int[]> points, String programFlatness) {
    Map<String, Object> at10k = find(summary, "ebpf", 10_000, 1);
    if (at10k == null) {
      ctx.report.target(
          "eBPF TCP throughput at 10k peers",
          "≥ 97 % of bare",
          "–",
          Report.Verdict.NOT_MEASURED,
          "this run has no 10k-peer point (--size full has)");
      ctx.report.target(
          "eBPF added p50 latency at 10k peers", "≤ 2 µs", "–", Report.Verdict.NOT_MEASURED, "");
    } else {
      double ratio = d(at10k, "gbps_vs_bare");
      ctx.report.target(
          "eBPF TCP throughput at 10k peers",
          "≥ 97 % of bare",
          fmt(100 * ratio, 1) + " % of bare",
          ratio >= 0.97 ? Report.Verdict.MET : Report.Verdict.MISSED,
          "");
      double added = d(at10k, "rtt_p50_us_added");
      ctx.report.target(
          "eBPF added p50 latency at 10k peers",
          "≤ 2 µs",
          signed(added) + " µs (RTT p50 " + fmt(d(at10k, "rtt_p50_us_median"), 1) + " µs)",
          added <= 2 ? Report.Verdict.MET : Report.Verdict.MISSED,
          "full round trip, both directions through the programs");
    }
    List<Double> ratios = new ArrayList<>();
    List<Double> rtts = new ArrayList<>();
    List<Integer> peers = new ArrayList<>();
    for (int[] p : points) {
      Map<String, Object> r = find(summary, "ebpf", p[0], 1);
      if (p[1] == 1 && r != null) {
        ratios.add(d(r, "gbps_vs_bare"));
        rtts.add(d(r, "rtt_p50_us_vs_bare"));
        peers.add(p[0]);
      }
    }
    if (peers.size() >= 2 && peers.contains(50_000)) {
      double spreadT = Stats.of(ratios).relativeSpread();
      double spreadL = Stats.of(rtts).relativeSpread();
      ctx.report.target(
          "eBPF flat from few to 50k peers",
          "within 3 %",
          "throughput/bare spread "
              + fmt(100 * spreadT, 1)
              + " %, RTT p50/bare spread "
              + fmt(100 * spreadL, 1)
              + " % over "
              + peers
              + " peers",
          spreadT <= 0.03 && spreadL <= 0.03 ? Report.Verdict.MET : Report.Verdict.MISSED,
          "spread = (max − min) / median of the ratio to bare across the peer points"
              + (programFlatness.isEmpty()
                  ? ""
                  : "; the programs' own time (kernel statistics): " + programFlatness));
    } else {
      ctx.report.target(
          "eBPF flat from few to 50k peers",
          "within 3 %",
          "–",
          Report.Verdict.NOT_MEASURED,
          "needs the 50k point (--size full)");
    }
  }

  static Map<String, Object> find(Table summary, String setup, int peers, int ranges) {
    return summary.rows().stream()
        .filter(
            r ->
                setup.equals(r.get("setup"))
                    && Objects.equals(peers, r.get("peers"))
                    && Objects.equals(ranges, r.get("port_ranges")))
        .findFirst()
        .orElse(null);
  }

  static String signed(double v) {
    return Double.isNaN(v) ? "–" : (v >= 0 ? "+" : "") + fmt(v, 1);
  }
}
