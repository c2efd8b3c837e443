package dev.netpol.bench.internal.programming;

import dev.netpol.bench.internal.Backends;
import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Table;
import dev.netpol.bench.internal.cluster.Capture;
import dev.netpol.bench.internal.cluster.Kubectl;
import dev.netpol.bench.internal.cluster.NetpolProcess;
import dev.netpol.bench.internal.cluster.Prober;
import dev.netpol.lab.Lab;
import dev.netpol.lab.LabConfig;
import dev.netpol.lab.LabPod;
import dev.netpol.lab.PodSpec;
import dev.netpol.lab.ServePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The first policy after start, as a new user meets it: a fresh {@code bin/netpol standalone} (new
 * data dir and bpffs root), two lab pods, and as soon as its agent has programmed them, {@code
 * kubectl apply} of a default-deny; timed until the client's new connections are dropped.
 */
final class FirstPolicy {
  private FirstPolicy() {}

  static final String ALLOW =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: first, name: srv-from-clients}
      spec:
        podSelector: {matchLabels: {pod: srv}}
        ingress:
        - from: [{podSelector: {matchLabels: {role: client}}}]
          ports: [{port: 80}]
      """;

  static final String DENY =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {namespace: first, name: default-deny}
      spec: {podSelector: {}, policyTypes: [Ingress]}
      """;

  static void run(BenchContext ctx, String backend, int repeat, Table out) throws Exception {
    String tag = backend + "-" + repeat;
    Path dir = Files.createDirectories(ctx.work.resolve("first-" + tag));
    Path pinRoot = ctx.pinRoot("-first-" + tag);
    NetpolProcess s =
        NetpolProcess.standalone(
            ctx.netpol(),
            "bench-first",
            backend,
            dir.resolve("node"),
            pinRoot,
            ctx.logFile("standalone-first-" + tag + ".log"),
            concat(
                List.of("netpol.serviceproxy.chain-prefix=NPF" + ctx.hex.toUpperCase()),
                Backends.nodeSettings(backend, ctx, "-first-" + tag)));
    Lab lab = null;
    try {
      s.awaitKubeconfig(90);
      long synced = s.awaitSynced(90);
      lab =
          new Lab(
              new LabConfig(
                  dir.resolve("lab"),
                  s.kubeconfig(),
                  "198.18.196.0/24",
                  "fd00:198:18:c4::/64",
                  BenchContext.NAME_PREFIX,
                  "bench-first",
                  "192.0.2.1"));
      LabPod srv =
          lab.addPod(
              new PodSpec(
                  "first",
                  "srv",
                  Map.of("pod", "srv"),
                  List.of(new ServePort(80, "tcp")),
                  false,
                  null,
                  false));
      LabPod cli =
          lab.addPod(
              new PodSpec(
                  "first",
                  "cli",
                  Map.of("pod", "cli", "role", "client"),
                  List.of(),
                  false,
                  null,
                  false));
      LabPod user =
          lab.addPod(
              new PodSpec(
                  "first",
                  "user",
                  Map.of("pod", "user", "role", "client"),
                  List.of(),
                  false,
                  null,
                  false));
      s.awaitProgrammed(3, 60);
      long ready = System.nanoTime();
      Kubectl k = new Kubectl(s.kubeconfig(), dir);
      Map<String, Object> row = new java.util.LinkedHashMap<>();
      row.put("backend", backend);
      row.put("repeat", repeat);
      row.put("start_to_synced_s", (synced - s.startedNanos) / 1e9);
      row.put("start_to_pods_programmed_s", (ready - s.startedNanos) / 1e9);
      try (Prober p = Prober.start(cli.netns(), srv.ipv4(), 80, 2, 50, dir, "cli");
          Capture cap =
              Capture.start(
                  srv.hostVeth(),
                  80,
                  dir.resolve("srv.pcap"),
                  ctx.logFile("tcpdump-first-" + tag + ".log"))) {
        Thread.sleep(200);
        // 1. the first policy: isolate the namespace (README: default-deny)
        long t0 = System.nanoTime();
        String verbose = k.apply("deny", DENY).check().out();
        long t1 = System.nanoTime();
        long written = Kubectl.writeAnsweredAt(verbose);
        long settled = PolicyChanges.awaitSettled(p, t0, false, 20_000);
        row.put("kubectl_ms", (t1 - t0) / 1e6);
        row.put("from_kubectl_start_ms", settled < 0 ? Double.NaN : (settled - t0) / 1e6);
        row.put("from_kubectl_return_ms", settled < 0 ? Double.NaN : (settled - t1) / 1e6);
        row.put(
            "from_api_write_ms",
            settled < 0 || written < 0 ? Double.NaN : (settled - written) / 1e6);
        row.put("enforced", settled >= 0);
        // 2. let the clients in and probe at once, as the README's user does
        long a0 = System.nanoTime();
        String allowOut = k.apply("allow", ALLOW).check().out();
        long a1 = System.nanoTime();
        long probeStart = System.nanoTime();
        dev.netpol.lab.ProbeResult probe =
            lab.probe(user.key(), srv.ipv4(), 80, "tcp", java.time.Duration.ofSeconds(3));
        long probeEnd = System.nanoTime();
        long allowWritten = Kubectl.writeAnsweredAt(allowOut);
        long opened = PolicyChanges.awaitSettled(p, a0, true, 20_000);
        row.put(
            "allow_from_api_write_ms",
            opened < 0 || allowWritten < 0 ? Double.NaN : (opened - allowWritten) / 1e6);
        row.put("user_probe_after_kubectl_ms", (probeStart - a1) / 1e6);
        row.put("user_probe_ms", (probeEnd - probeStart) / 1e6);
        row.put("user_probe_connected", probe.connected());
        row.put(
            "allow_enforced_ms_after_probe_start",
            opened < 0 ? Double.NaN : (opened - probeStart) / 1e6);
        row.put("user_ip", user.ipv4());
        row.put("user_probe_packets", userPackets(cap, user.ipv4(), probeStart, probeEnd, p));
      }
      out.add(row);
      java.nio.file.Files.copy(
          dir.resolve("srv.pcap"),
          ctx.logFile("first-" + tag + ".pcap"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      if (lab != null) {
        lab.down();
        lab.close();
      }
      s.close();
      Backends.release(backend, ctx, pinRoot, "-first-" + tag);
    }
  }

  /** The user's SYN and SYN-ACK times (ms after the probe started) on the server's veth. */
  static String userPackets(Capture cap, String userIp, long from, long to, Prober clock) {
    double offset = clock.realtimeOffsetNanos();
    double t0 = (from + offset) / 1e9;
    double t1 = (to + offset) / 1e9 + 0.05;
    StringBuilder b = new StringBuilder();
    for (Capture.Packet pk : cap.packets()) {
      boolean syn = pk.src().equals(userIp) && pk.flags().equals("S");
      boolean synAck = pk.dst().equals(userIp) && pk.flags().equals("S.");
      if (pk.time() >= t0 - 0.01 && pk.time() <= t1 && (syn || synAck)) {
        if (b.length() > 0) {
          b.append(' ');
        }
        b.append(pk.flags().equals("S") ? "SYN@" : "SYN-ACK@")
            .append(Math.round((pk.time() - t0) * 1000));
      }
    }
    return b.toString();
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
