package dev.netpol.bench.internal.scale;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Proc;
import dev.netpol.bench.internal.Stats;
import dev.netpol.bench.internal.Table;
import dev.netpol.bench.internal.cluster.ApiHttp;
import dev.netpol.bench.internal.cluster.ClusterFixture;
import dev.netpol.bench.internal.cluster.Manifests;
import dev.netpol.bench.internal.cluster.NetpolProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's memory: RSS of the {@code bin/netpol node} process (agent + backend, nothing else) on
 * the node of {@link ClusterFixture}, sampled every 500 ms while idle and while pods are relabelled
 * and policies edited through the API (each edit changes what the node programs).
 */
final class AgentMemory {
  private AgentMemory() {}

  static void run(BenchContext ctx, ClusterFixture cluster, String backend, Table out)
      throws Exception {
    NetpolProcess node = cluster.startNode(backend);
    long programmed = node.awaitProgrammed(cluster.pods, 300);
    double coldSeconds = (programmed - node.startedNanos) / 1e9;
    Thread.sleep(3000); // start-up garbage settles
    List<Double> idle = sample(node, ctx.size.full() ? 20 : 4, null);
    double heapIdle = liveHeapMib(node.pid());
    ApiHttp api = ApiHttp.of(cluster.api.kubeconfig());
    List<Manifests.FillerPod> pods = Manifests.fillerPods(cluster.pods - 3);
    int[] ops = {0};
    List<Double> churn =
        sample(
            node,
            ctx.size.churnSeconds(),
            () -> {
              // ten edits a second: a filler pod's role (a peer of other policies) and a policy's
              // port, alternately
              int k = ops[0]++;
              if (k % 2 == 0) {
                Manifests.FillerPod p = pods.get((k / 2) % pods.size());
                api.mergePatch(
                    "/api/v1/namespaces/" + p.namespace() + "/pods/" + p.name(),
                    "{\"metadata\":{\"labels\":{\"role\":\"r" + (k % 7) + "\"}}}");
              } else {
                int i = (k / 2) % Math.max(1, cluster.policies - 2);
                int ns = i % Manifests.fillerNamespaces(cluster.pods - 3);
                api.send(
                    "PATCH",
                    "/apis/networking.k8s.io/v1/namespaces/bench-f"
                        + ns
                        + "/networkpolicies/filler-"
                        + i,
                    "application/json-patch+json",
                    "[{\"op\":\"replace\",\"path\":\"/spec/ingress/0/ports/0/port\",\"value\":"
                        + (3000 + k % 1000)
                        + "}]");
              }
            });
    double heapChurn = liveHeapMib(node.pid());
    List<Double> after = sample(node, ctx.size.full() ? 20 : 4, null);
    out.add(
        "backend",
        backend,
        "pods",
        cluster.pods,
        "policies",
        cluster.policies,
        "rules",
        cluster.rules,
        "cold_start_s",
        coldSeconds,
        "rss_idle_mib",
        Stats.quantile(idle, 0.5),
        "rss_idle_max_mib",
        max(idle),
        "live_heap_idle_mib",
        heapIdle,
        "churn_edits",
        ops[0],
        "churn_seconds",
        ctx.size.churnSeconds(),
        "rss_churn_max_mib",
        max(churn),
        "rss_churn_median_mib",
        Stats.quantile(churn, 0.5),
        "live_heap_after_churn_mib",
        heapChurn,
        "rss_after_churn_mib",
        Stats.quantile(after, 0.5));
    cluster.stopAndWipe(node);
  }

  /** RSS every 500 ms for {@code seconds}, running {@code edit} every 100 ms if given. */
  static List<Double> sample(NetpolProcess node, int seconds, Runnable edit)
      throws InterruptedException {
    List<Double> v = new ArrayList<>();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long nextSample = System.nanoTime();
    while (System.nanoTime() < end) {
      if (System.nanoTime() >= nextSample) {
        v.add(node.rssMib());
        nextSample += 500_000_000L;
      }
      if (edit != null) {
        edit.run();
      }
      Thread.sleep(edit == null ? 50 : 100);
    }
    v.add(node.rssMib());
    return v;
  }

  static double max(List<Double> v) {
    return v.stream().mapToDouble(x -> x).max().orElse(Double.NaN);
  }

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  /** Heap in use right after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}). */
  static double liveHeapMib(long pid) {
    Proc.run(60, List.of("jcmd", String.valueOf(pid), "GC.run"));
    Proc.Result r = Proc.run(60, List.of("jcmd", String.valueOf(pid), "GC.heap_info"));
    if (!r.ok()) {
      return Double.NaN;
    }
    long kb = 0;
    for (String line : r.out().split("\n")) {
      // generations (Serial, Parallel) or the whole heap (G1); metaspace lines are not heap
      String t = line.strip();
      if (t.startsWith("Metaspace") || t.startsWith("class space")) {
        continue;
      }
      Matcher m = USED.matcher(t);
      if (m.find()
          && (t.contains("generation")
              || t.contains("heap")
              || t.contains("PSYoungGen")
              || t.contains("ParOldGen"))) {
        kb += Long.parseLong(m.group(1));
      }
    }
    return kb / 1024.0;
  }
}
