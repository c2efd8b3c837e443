package dev.netpol.bench.internal.programming;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Proc;
import dev.netpol.bench.internal.Table;
import dev.netpol.bench.internal.cluster.Capture;
import dev.netpol.bench.internal.cluster.ClusterFixture;
import dev.netpol.bench.internal.cluster.Kubectl;
import dev.netpol.bench.internal.cluster.Manifests;
import dev.netpol.bench.internal.cluster.NetpolProcess;
import dev.netpol.bench.internal.cluster.Prober;
import dev.netpol.bench.internal.cluster.Sampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Policy changes timed on real packets: {@code kubectl apply} of the switched policy, alternately
 * opening and closing {@code cli → srv:80}, while {@code cli} opens a connection every 2 ms (50 ms
 * timeout) and {@code always}, allowed throughout, one every 20 ms (3 s timeout) whose connect
 * times show what allowed flows see around changes. A capture of the server's veth and a 100 ms
 * sampler of CPU pressure, steal and softnet counters run alongside. The last quarter of the
 * changes is followed at once by {@code bin/netpol lab probe}, as a user checks a change.
 */
final class PolicyChanges {
  static final double VERDICT_INTERVAL_MS = 2;
  static final double VERDICT_TIMEOUT_MS = 50;
  static final double ALLOWED_INTERVAL_MS = 20;
  static final double ALLOWED_TIMEOUT_MS = 3000;

  /** A change as applied: when kubectl started and returned, which way it switched. */
  record Change(int index, boolean open, String phase, long started, long returned) {}

  private PolicyChanges() {}

  static void run(
      BenchContext ctx,
      ClusterFixture cluster,
      NetpolProcess node,
      Table changes,
      Table connects,
      Table samples,
      Table slow)
      throws Exception {
    String backend = node.backend;
    Path dir = Files.createDirectories(ctx.work.resolve("changes-" + backend));
    Proc.run(30, List.of("ip", "netns", "exec", cluster.srv.netns(), "nstat", "-n"));
    List<Change> done = new ArrayList<>();
    try (Capture cap =
            Capture.start(
                cluster.srv.hostVeth(),
                80,
                dir.resolve("srv.pcap"),
                ctx.logFile("tcpdump-" + backend + ".log"));
        Sampler sampler = new Sampler(samples, backend);
        Prober verdict =
            Prober.start(
                cluster.cli.netns(),
                cluster.srv.ipv4(),
                80,
                VERDICT_INTERVAL_MS,
                VERDICT_TIMEOUT_MS,
                dir,
                "cli");
        Prober allowed =
            Prober.start(
                cluster.always.netns(),
                cluster.srv.ipv4(),
                80,
                ALLOWED_INTERVAL_MS,
                ALLOWED_TIMEOUT_MS,
                dir,
                "always")) {
      Thread.sleep(1500); // a quiet stretch before the first change
      int total = ctx.size.policyChanges();
      int userLike = Math.max(1, total / 4);
      for (int k = 0; k < total; k++) {
        boolean open = k % 2 == 0;
        String phase = k >= total - userLike ? "kubectl + lab probe" : "kubectl";
        long t0 = System.nanoTime();
        Proc.Result r =
            cluster.kubectl.apply("switch-" + backend + "-" + k, Manifests.switched(open)).check();
        long t1 = System.nanoTime();
        if (phase.startsWith("kubectl +")) {
          Proc.run(
              60,
              List.of(
                  ctx.netpol().toString(),
                  "lab",
                  "probe",
                  cluster.always.key(),
                  cluster.srv.key(),
                  "80",
                  "--kubeconfig",
                  cluster.api.kubeconfig().toString(),
                  "--data-dir",
                  ctx.work.resolve("cluster/lab").toString()));
        }
        long written = Kubectl.writeAnsweredAt(r.out());
        Change c = new Change(k, open, phase, t0, t1);
        done.add(c);
        long settled = awaitSettled(verdict, t0, open, 15_000);
        Thread.sleep(600); // allowed flows right after the change, then a quiet gap
        settled = Prober.settledAt(verdict.attempts(), t0, System.nanoTime(), open);
        changes.add(
            "backend",
            backend,
            "change",
            k,
            "direction",
            open ? "open" : "close",
            "phase",
            phase,
            "kubectl_ms",
            (t1 - t0) / 1e6,
            "from_kubectl_start_ms",
            settled < 0 ? Double.NaN : (settled - t0) / 1e6,
            "from_kubectl_return_ms",
            settled < 0 ? Double.NaN : (settled - t1) / 1e6,
            "from_api_write_ms",
            settled < 0 || written < 0 ? Double.NaN : (settled - written) / 1e6,
            "enforced",
            settled >= 0);
      }
      Thread.sleep(1000);
      analyseAllowed(backend, allowed, done, connects, slow, cap, ctx);
    }
    String nstat =
        Proc.run(30, List.of("ip", "netns", "exec", cluster.srv.netns(), "nstat", "-a")).out();
    Files.writeString(ctx.logFile("nstat-srv-" + backend + ".txt"), nstat);
  }

  /** Waits until the verdict prober shows the new verdict (stable for 200 ms). */
  static long awaitSettled(Prober p, long from, boolean connected, long timeoutMs)
      throws InterruptedException {
    long end = from + timeoutMs * 1_000_000;
    while (System.nanoTime() < end) {
      long s = Prober.settledAt(p.attempts(), from, Long.MAX_VALUE, connected);
      if (s >= 0 && System.nanoTime() - s > 200_000_000L) {
        return s;
      }
      Thread.sleep(20);
    }
    return -1;
  }

  /**
   * Every attempt of the always-allowed client, relative to the last change before it; each slow
   * one (≥ 200 ms) explained from the capture: how many SYNs it took and when the SYN-ACK left the
   * pod.
   */
  static void analyseAllowed(
      String backend,
      Prober allowed,
      List<Change> changes,
      Table connects,
      Table slow,
      Capture cap,
      BenchContext ctx) {
    List<Prober.Attempt> attempts = allowed.attempts();
    List<Capture.Packet> packets = null;
    long offset = allowed.realtimeOffsetNanos();
    for (Prober.Attempt a : attempts) {
      Change last = null;
      for (Change c : changes) {
        if (c.started() <= a.startNanos()) {
          last = c;
        }
      }
      double since = last == null ? Double.NaN : (a.startNanos() - last.started()) / 1e9;
      double ms = a.durationNanos() / 1e6;
      connects.add(
          "backend", backend,
          "since_change_s", since,
          "phase", last == null ? "before changes" : last.phase(),
          "result", a.result(),
          "connect_ms", ms);
      if (ms >= 200 || !a.ok()) {
        if (packets == null) {
          packets = cap.packets();
        }
        double t0 = (a.startNanos() + offset) / 1e9;
        double t1 = t0 + ms / 1000 + 0.05;
        List<Double> syns = new ArrayList<>();
        List<Double> synAcks = new ArrayList<>();
        for (Capture.Packet p : packets) {
          if (p.time() < t0 - 0.01 || p.time() > t1) {
            continue;
          }
          if (p.sport() == a.localPort() && p.flags().equals("S")) {
            syns.add((p.time() - t0) * 1000);
          } else if (p.dport() == a.localPort() && p.flags().equals("S.")) {
            synAcks.add((p.time() - t0) * 1000);
          }
        }
        slow.add(
            "backend", backend,
            "since_change_s", since,
            "phase", last == null ? "before changes" : last.phase(),
            "result", a.result(),
            "connect_ms", ms,
            "local_port", a.localPort(),
            "syn_ms", syns.toString(),
            "synack_ms", synAcks.toString(),
            "explained", explain(syns, synAcks, ms));
      }
    }
  }

  /** Where the time of one slow connect went, from the server veth's capture. */
  static String explain(List<Double> syns, List<Double> synAcks, double connectMs) {
    if (syns.isEmpty()) {
      return "no SYN reached the server's veth past its ingress program";
    }
    if (syns.size() > 1 && (synAcks.isEmpty() || synAcks.get(0) > syns.get(1))) {
      return syns.size()
          + " SYNs: the first got no SYN-ACK; the client retransmitted after "
          + Math.round(syns.get(1) - syns.get(0))
          + " ms";
    }
    if (synAcks.isEmpty()) {
      return "SYN passed; no SYN-ACK left the pod";
    }
    double gap = synAcks.get(0) - syns.get(0);
    if (gap >= 100) {
      return "SYN passed; the pod's kernel sent the SYN-ACK " + Math.round(gap) + " ms later";
    }
    return "SYN-ACK left the pod within "
        + Math.round(gap)
        + " ms; the rest ("
        + Math.round(connectMs - synAcks.get(0))
        + " ms) is on the way back to the client";
  }
}
