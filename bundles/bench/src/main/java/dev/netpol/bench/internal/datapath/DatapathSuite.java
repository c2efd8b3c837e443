package dev.netpol.bench.internal.datapath;

import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.bench.internal.Backends;
import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Machine;
import dev.netpol.bench.internal.PolicyShapes;
import dev.netpol.bench.internal.Suite;
import dev.netpol.bench.internal.Table;
import dev.netpol.lab.Lab;
import dev.netpol.lab.LabConfig;
import dev.netpol.lab.LabPod;
import dev.netpol.lab.PodSpec;
import dev.netpol.lab.ProbeResult;
import dev.netpol.lab.ServePort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench datapath}: TCP throughput, request/response latency and new connections per second
 * between lab pods, for bare veths, netpol attached without a policy, and each backend enforcing a
 * policy of N peer CIDRs and M port ranges on the server. Every point runs its rounds interleaved
 * (each round visits every setup once, in a rotated order), checks enforcement on real packets
 * before each measurement, and compares each setup with bare from the same rounds.
 *
 * <p>The backends run in this process, on pods made in the kernel only (no API, controller or
 * agent): that isolates the datapath, lets each round switch setups in milliseconds, and keeps the
 * netfilter state of a standalone node's service proxy off the bare pair's path.
 */
public final class DatapathSuite implements Suite {
  static final String NS = "dp";

  @Override
  public String name() {
    return "datapath";
  }

  @Override
  public String summary() {
    return "TCP throughput, RTT p50/p99, connections/s between lab pods: bare, no policy, each backend";
  }

  int setups(BenchContext ctx) {
    return 2 + ctx.backends.size();
  }

  double pointSeconds(BenchContext ctx) {
    // three tools per setup and round, plus JVM start, probes and programming
    // then iperf3 and sockperf once more for each of the two setups running the eBPF programs
    return ctx.size.rounds() * setups(ctx) * (3.0 * ctx.size.toolSeconds() + 4.5)
        + 2 * (2.0 * ctx.size.toolSeconds() + 2)
        + 5;
  }

  List<Point> points(BenchContext ctx) {
    List<Point> ps = new ArrayList<>();
    ctx.size.peerCounts().forEach(n -> ps.add(new Point("peers", n, 1)));
    ctx.size.portRangeCounts().forEach(m -> ps.add(new Point("port ranges", 1, m)));
    return ps;
  }

  /** One point: which axis it belongs to, peers and port ranges in the server's policy. */
  record Point(String axis, int peers, int ranges) {
    String label() {
      return "peers=" + peers + " port-ranges=" + ranges;
    }
  }

  @Override
  public void plan(BenchContext ctx) {
    ctx.progress.plan(points(ctx).size(), pointSeconds(ctx));
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Lab lab =
        new Lab(
            new LabConfig(
                ctx.work.resolve("lab-datapath"),
                null,
                "198.18.192.0/24",
                "fd00:198:18:c0::/64",
                BenchContext.NAME_PREFIX,
                "bench",
                "192.0.2.1"));
    ctx.onClose(
        () -> {
          lab.down();
          lab.close();
        });
    Tools tools = new Tools(ctx.work, ctx.out.resolve("logs"));
    ctx.onClose(tools::stopServers);

    List<Setup> setups = new ArrayList<>();
    setups.add(Setup.bare());
    EnforcementBackend ebpf = Backends.create("ebpf", ctx, "-datapath-ebpf");
    setups.add(Setup.noPolicy(ebpf));
    for (String b : ctx.backends) {
      EnforcementBackend backend =
          b.equals("ebpf") ? ebpf : Backends.create(b, ctx, "-datapath-" + b);
      setups.add(Setup.enforcing(backend, !b.equals("ebpf")));
    }
    ctx.progress.note(name(), "making " + (2 * setups.size() + 1) + " lab pods");
    for (Setup s : setups) {
      s.client = lab.addPod(pod("c-" + s.slug(), false));
      s.server = lab.addPod(pod("s-" + s.slug(), true));
      tools.startServers(s.server.netns(), s.server.ipv4());
    }
    LabPod intruder = lab.addPod(pod("intruder", false));
    ctx.onClose(
        () -> {
          for (Setup s : setups) {
            s.clear();
          }
        });

    Table raw = new Table("datapath");
    Table costs = new Table("datapath-program-cost");
    List<Point> points = points(ctx);
    for (Point p : points) {
      long t0 = System.nanoTime();
      runPoint(ctx, p, setups, lab, intruder, tools, raw);
      raw.write(ctx.out);
      ProgramCosts.measure(ctx, p, setups, tools, costs);
      costs.write(ctx.out);
      ctx.progress.done(
          name(),
          p.label(),
          pointSeconds(ctx),
          headline(raw, p) + String.format(" (%.0f s)", (System.nanoTime() - t0) / 1e9));
    }
    for (Setup s : setups) {
      s.clear();
    }
    DatapathReport.write(
        ctx, raw, points.stream().map(Point::axis).distinct().toList(), setups, costs);
  }

  private static PodSpec pod(String name, boolean server) {
    return new PodSpec(
        NS,
        name,
        Map.of("bench", name),
        server ? List.of(new ServePort(Tools.PROBE_PORT, "tcp")) : List.of(),
        false,
        null,
        false);
  }

  private void runPoint(
      BenchContext ctx,
      Point p,
      List<Setup> setups,
      Lab lab,
      LabPod intruder,
      Tools tools,
      Table raw)
      throws Exception {
    Map<Setup, PodPolicy> policies = new LinkedHashMap<>();
    Map<Setup, Long> prepareMs = new LinkedHashMap<>();
    for (Setup s : setups) {
      PodPolicy pol =
          PolicyShapes.ingress(
              PolicyShapes.peers(p.peers(), s.client.ipv4() + "/32"),
              PolicyShapes.portRanges(p.ranges(), Tools.TOOL_RANGE_FIRST, Tools.TOOL_RANGE_LAST),
              "bench/datapath");
      policies.put(s, pol);
      prepareMs.put(s, s.prepare(pol));
    }
    int seconds = ctx.size.toolSeconds();
    for (int round = 0; round < ctx.size.rounds(); round++) {
      for (int i = 0; i < setups.size(); i++) {
        Setup s = setups.get((i + round) % setups.size()); // rotate the order every round
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("axis", p.axis());
        row.put("peers", p.peers());
        row.put("port_ranges", p.ranges());
        row.put("round", round + 1);
        row.put("setup", s.name);
        row.put("load1", Machine.loadAverage());
        row.put("cpu_pressure_avg10", Machine.cpuPressure());
        try {
          long enterMs = s.enter(policies.get(s));
          row.put("apply_ms", s.transientState ? enterMs : prepareMs.get(s));
          verify(lab, s, intruder);
          Tools.Throughput t = tools.iperf(s.client.netns(), s.server.ipv4(), seconds);
          Tools.Latency l = tools.sockperf(s.client.netns(), s.server.ipv4(), seconds);
          Tools.ConnectionRate c = tools.connRate(s.client.netns(), s.server.ipv4(), seconds);
          row.put("gbps", t.gbps());
          row.put("retransmits", t.retransmits());
          row.put("rtt_p50_us", l.p50());
          row.put("rtt_p99_us", l.p99());
          row.put("rtt_avg_us", l.avg());
          row.put("conn_per_s", c.perSecond());
          row.put("conn_failures", c.failures());
        } catch (Exception e) {
          row.put("error", e.getMessage());
          ctx.progress.note(
              name(), p.label() + " " + s.name + " round " + (round + 1) + ": " + e.getMessage());
        } finally {
          s.leave();
        }
        raw.add(row);
      }
    }
  }

  /**
   * On real packets: the client reaches the server's probe port; a pod outside the policy does not
   * (bare and no policy: it does).
   */
  static void verify(Lab lab, Setup s, LabPod intruder) {
    ProbeResult ok =
        lab.probe(
            s.client.key(), s.server.ipv4(), Tools.PROBE_PORT, "tcp", Duration.ofMillis(1500));
    if (!ok.connected()) {
      throw new IllegalStateException(
          s.name + ": the allowed client cannot reach the server: " + ok.detail());
    }
    ProbeResult other =
        lab.probe(intruder.key(), s.server.ipv4(), Tools.PROBE_PORT, "tcp", Duration.ofMillis(400));
    if (other.connected() == s.enforcing) {
      throw new IllegalStateException(
          s.name
              + ": a pod outside the policy was "
              + (other.connected() ? "let in" : "blocked")
              + " ("
              + other.detail()
              + ")");
    }
  }

  private static String headline(Table raw, Point p) {
    return DatapathReport.headline(raw, p.axis(), p.peers(), p.ranges());
  }
}
