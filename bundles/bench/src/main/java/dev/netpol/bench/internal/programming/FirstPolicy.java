package dev.netpol.bench.internal.programming;

import dev.netpol.bench.internal.Backends;
import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Table;
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
              new PodSpec("first", "cli", Map.of("pod", "cli"), List.of(), false, null, false));
      s.awaitProgrammed(2, 60);
      long ready = System.nanoTime();
      Kubectl k = new Kubectl(s.kubeconfig(), dir);
      try (Prober p = Prober.start(cli.netns(), srv.ipv4(), 80, 2, 50, dir, "cli")) {
        Thread.sleep(200);
        long t0 = System.nanoTime();
        String verbose = k.apply("deny", DENY).check().out();
        long t1 = System.nanoTime();
        long written = Kubectl.writeAnsweredAt(verbose);
        long settled = PolicyChanges.awaitSettled(p, t0, false, 20_000);
        out.add(
            "backend",
            backend,
            "repeat",
            repeat,
            "start_to_synced_s",
            (synced - s.startedNanos) / 1e9,
            "start_to_pods_programmed_s",
            (ready - s.startedNanos) / 1e9,
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
    } finally {
      if (lab != null) {
        lab.down();
        lab.close();
      }
      s.close();
      Backends.release(backend, ctx, pinRoot, "-first-" + tag);
    }
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
