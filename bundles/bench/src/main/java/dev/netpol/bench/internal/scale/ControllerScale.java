package dev.netpol.bench.internal.scale;

import dev.netpol.bench.internal.BenchContext;
import dev.netpol.bench.internal.Proc;
import dev.netpol.bench.internal.Stats;
import dev.netpol.bench.internal.Table;
import dev.netpol.bench.internal.cluster.ApiHttp;
import dev.netpol.bench.internal.cluster.NetpolProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The controller at scale, end to end: the embedded API alone ({@code bin/netpol start api}) is
 * loaded over HTTP with N pods (on 1,000 nodes, in 50 namespaces) and P policies; then {@code
 * bin/netpol controller} starts against it. Timed: from its start until a PolicyEndpoint of every
 * policy has been written (a watch of PolicyEndpoints opened before it starts), and from a pod's
 * label change (it leaves one policy's selection and enters another's) until both policies'
 * PolicyEndpoints are rewritten. Heap: live after a full GC, and RSS.
 */
final class ControllerScale {
  static final int NAMESPACES = 50;
  static final int APPS = 100;
  static final int NODES = 1000;

  private ControllerScale() {}

  static void run(BenchContext ctx, Table out, Table changes) throws Exception {
    int pods = ctx.size.controllerPods();
    int policies = ctx.size.controllerPolicies();
    int nss = Math.min(NAMESPACES, Math.max(1, pods / 200));
    Path dir = ctx.work.resolve("controller-scale");
    NetpolProcess apiProc = startApi(ctx, dir.resolve("api"));
    ctx.onClose(apiProc::close);
    apiProc.awaitKubeconfig(90);
    ApiHttp api = ApiHttp.of(apiProc.kubeconfig());
    awaitReady(api, 60);
    installCrd(ctx, apiProc.kubeconfig());
    long t0 = System.nanoTime();
    for (int k = 0; k < nss; k++) {
      api.post(
          "/api/v1/namespaces",
          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"s" + k + "\"}}");
    }
    long failedPods =
        api.bulk(
            pods,
            8,
            i -> {
              String ns = "s" + (i % nss);
              ApiHttp.Response r = api.post("/api/v1/namespaces/" + ns + "/pods", pod(i, nss));
              if (!r.ok()) {
                return r;
              }
              return api.mergePatch(
                  "/api/v1/namespaces/" + ns + "/pods/p" + i + "/status", podStatus(i));
            });
    double podsSeconds = (System.nanoTime() - t0) / 1e9;
    ctx.progress.note(
        "scale",
        String.format(
            "%d pods loaded into the embedded API in %.0f s (%.0f pods/s, %d failed)",
            pods, podsSeconds, pods / podsSeconds, failedPods));
    t0 = System.nanoTime();
    long failedPolicies =
        api.bulk(
            policies,
            8,
            j ->
                api.post(
                    "/apis/networking.k8s.io/v1/namespaces/s" + (j % nss) + "/networkpolicies",
                    policy(j, nss)));
    double policiesSeconds = (System.nanoTime() - t0) / 1e9;

    Set<String> resolved = ConcurrentHashMap.newKeySet();
    ConcurrentHashMap<String, Long> lastWrite = new ConcurrentHashMap<>();
    Pattern ref = Pattern.compile("\"policyRef\":\\{[^}]*?\"name\":\"(pol-\\d+)\"");
    try (AutoCloseable w =
        api.watch(
            "/apis/policy.netpol.dev/v1alpha1/policyendpoints",
            line -> {
              Matcher m = ref.matcher(line);
              if (m.find()) {
                resolved.add(m.group(1));
                lastWrite.put(m.group(1), System.nanoTime());
              }
            })) {
      Thread.sleep(500);
      NetpolProcess controller =
          startController(ctx, apiProc.kubeconfig(), dir.resolve("controller"));
      ctx.onClose(controller::close);
      long start = controller.startedNanos;
      long end = System.currentTimeMillis() + (ctx.size.full() ? 1800_000 : 300_000);
      while (resolved.size() < policies) {
        if (!controller.alive() || System.currentTimeMillis() > end) {
          throw new IllegalStateException(
              "controller resolved "
                  + resolved.size()
                  + " of "
                  + policies
                  + " policies\n"
                  + controller.tail(20));
        }
        Thread.sleep(50);
      }
      long all = lastWrite.values().stream().mapToLong(x -> x).max().orElse(System.nanoTime());
      double fullSeconds = (all - start) / 1e9;
      ctx.progress.note(
          "scale",
          String.format(
              "controller: %d policies over %d pods resolved %.1f s after its start",
              policies, pods, fullSeconds));
      Thread.sleep(3000);
      double heap = AgentMemory.liveHeapMib(controller.pid());
      double rss = controller.rssMib();

      // label changes: pod p0 (namespace s0) moves between app a0 and a1
      int rounds = ctx.size.full() ? 20 : 4;
      String from = "pol-0";
      String to = "pol-" + nss; // policy j selects app (j / nss) % APPS in namespace j % nss
      List<Double> ms = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        String app = r % 2 == 0 ? "a1" : "a0";
        long before = System.nanoTime();
        lastWrite.remove(from);
        lastWrite.remove(to);
        api.mergePatch(
            "/api/v1/namespaces/s0/pods/p0",
            "{\"metadata\":{\"labels\":{\"app\":\"" + app + "\"}}}");
        long deadline = System.currentTimeMillis() + 30_000;
        while (!(lastWrite.containsKey(from) && lastWrite.containsKey(to))
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(1);
        }
        double took =
            lastWrite.containsKey(from) && lastWrite.containsKey(to)
                ? (Math.max(lastWrite.get(from), lastWrite.get(to)) - before) / 1e6
                : Double.NaN;
        ms.add(took);
        changes.add("pods", pods, "policies", policies, "change", r + 1, "ms", took);
        Thread.sleep(300);
      }
      out.add(
          "pods", pods,
          "policies", policies,
          "namespaces", nss,
          "nodes", NODES,
          "pods_load_s", podsSeconds,
          "pod_load_failures", failedPods,
          "policies_load_s", policiesSeconds,
          "policy_load_failures", failedPolicies,
          "full_resolution_s", fullSeconds,
          "label_change_p50_ms", Stats.quantile(ms, 0.5),
          "label_change_p99_ms", Stats.quantile(ms, 0.99),
          "label_change_max_ms", ms.stream().mapToDouble(x -> x).max().orElse(Double.NaN),
          "controller_live_heap_mib", heap,
          "controller_rss_mib", rss);
      controller.close();
    }
    apiProc.close();
  }

  static NetpolProcess startApi(BenchContext ctx, Path dir) throws java.io.IOException {
    return NetpolProcess.process(
        ctx.netpol(),
        List.of("start", "api", "--data-dir", dir.toString()),
        "bench-api-only",
        "none",
        dir,
        null,
        ctx.logFile("api-only.log"));
  }

  static NetpolProcess startController(BenchContext ctx, Path kubeconfig, Path dir)
      throws java.io.IOException {
    return NetpolProcess.process(
        ctx.netpol(),
        List.of("controller", "--kubeconfig", kubeconfig.toString(), "--data-dir", dir.toString()),
        "bench-controller",
        "none",
        dir,
        null,
        ctx.logFile("controller-scale.log"));
  }

  static void awaitReady(ApiHttp api, int seconds) throws InterruptedException {
    long end = System.currentTimeMillis() + seconds * 1000L;
    while (!api.get("/readyz").ok()) {
      if (System.currentTimeMillis() > end) {
        throw new IllegalStateException("the embedded API is not ready");
      }
      Thread.sleep(100);
    }
  }

  /** The PolicyEndpoint CRD from the distribution's manifests, applied with kubectl. */
  static void installCrd(BenchContext ctx, Path kubeconfig) throws java.io.IOException {
    // the CRD alone: the embedded API serves no Deployments or DaemonSets
    Path f = ctx.home.resolve("manifests/policyendpoints.policy.netpol.dev.yaml");
    Proc.run(
            60,
            List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "apply", "-f", f.toString()))
        .check();
  }

  static String pod(int i, int nss) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p"
        + i
        + "\",\"namespace\":\"s"
        + (i % nss)
        + "\",\"labels\":{\"app\":\"a"
        + ((i / nss) % APPS)
        + "\",\"tier\":\"t"
        + (i % 10)
        + "\"}},\"spec\":{\"nodeName\":\"n"
        + (i % NODES)
        + "\",\"containers\":[{\"name\":\"c\",\"image\":\"none\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080}]}]}}";
  }

  static String podStatus(int i) {
    String ip = "10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
    return "{\"status\":{\"phase\":\"Running\",\"podIP\":\""
        + ip
        + "\",\"podIPs\":[{\"ip\":\""
        + ip
        + "\"}]}}";
  }

  /**
   * Policy j: in namespace s(j % nss), selects app a((j / nss) % 100) (about pods / (nss × 100)
   * pods); ingress from its namespace's tier t(j % 10) and from tier t(j % 10) of the next
   * namespace, on the named port http and on 443.
   */
  static String policy(int j, int nss) {
    return "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"pol-"
        + j
        + "\"},\"spec\":{\"podSelector\":{\"matchLabels\":{\"app\":\"a"
        + ((j / nss) % APPS)
        + "\"}},\"policyTypes\":[\"Ingress\"],\"ingress\":[{\"from\":[{\"podSelector\":{\"matchLabels\":{\"tier\":\"t"
        + (j % 10)
        + "\"}}},{\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"s"
        + ((j % nss + 1) % nss)
        + "\"}},\"podSelector\":{\"matchLabels\":{\"tier\":\"t"
        + (j % 10)
        + "\"}}}],\"ports\":[{\"port\":\"http\"},{\"port\":443}]}]}}";
  }
}
