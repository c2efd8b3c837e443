package dev.netpol.resolver.bench;

import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.resolver.ControllerOptions;
import dev.netpol.resolver.InformerSource;
import dev.netpol.resolver.PolicyController;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/**
 * The policy controller at scale, in one JVM: a synthetic feed ({@link SyntheticInformer}, the
 * shape of {@link SyntheticCluster}) stands in for the pod, namespace, Service and NetworkPolicy
 * informers; PolicyEndpoints are written to netpol's embedded API server running in a child JVM (so
 * its heap is not counted) and read back through a real informer. Measures:
 *
 * <ul>
 *   <li>full resolution: from the controller's start until every policy's PolicyEndpoints and
 *       status are written (the controller idle), with the number of writes;
 *   <li>heap: live heap (after full GCs) of the controller's own structures (index, parsed
 *       policies, PolicyEndpoint cache and informer), and of the synthetic cluster objects, which
 *       stand for the informer caches a real controller shares with the watch bundle;
 *   <li>one pod label change: from the informer event to the last PolicyEndpoint write of the
 *       reconcile returning (the controller's own latency record; and to its status written, which
 *       agents do not wait for), over many changes: {@code canary} (the pod enters a policy's
 *       selection, no Service changes) and {@code app} (the pod moves to another app, so to another
 *       Service's backends).
 * </ul>
 *
 * <p>Run: {@code mvn -pl bundles/resolver -am -Pbench verify -DskipTests [-Dbench.results=DIR]
 * [-Dbench.args="--pods 50000 --policies 5000"]}, or with the test classpath: {@code java
 * dev.netpol.resolver.bench.ControllerScaleBenchmark DIR [--pods N] [--policies N] [--nodes N]
 * [--changes N] [--workers N]}. Writes {@code DIR/controller-scale.json}, {@code .csv} and {@code
 * .md}.
 */
public final class ControllerScaleBenchmark {
  private ControllerScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].startsWith("-")) {
      System.err.println(
          "usage: ControllerScaleBenchmark RESULTS_DIR [--pods 50000] [--policies 5000]"
              + " [--nodes 1000] [--changes 50] [--workers 4]");
      System.exit(2);
    }
    Path out = Files.createDirectories(Path.of(args[0]));
    Map<String, Integer> opt = new LinkedHashMap<>();
    opt.put("pods", 50_000);
    opt.put("policies", 5_000);
    opt.put("nodes", 1_000);
    opt.put("changes", 50);
    opt.put("workers", ControllerOptions.DEFAULT_WORKERS);
    for (int i = 1; i + 1 < args.length; i += 2) {
      String k = args[i].replaceFirst("^--", "");
      if (!opt.containsKey(k)) {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
      opt.put(k, Integer.parseInt(args[i + 1]));
    }
    Map<String, Object> results = run(opt);
    write(out, opt, results);
  }

  static Map<String, Object> run(Map<String, Integer> opt) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    long baseline = liveHeap();
    SyntheticCluster cluster =
        new SyntheticCluster(opt.get("pods"), opt.get("policies"), opt.get("nodes"), 42);
    System.out.printf(
        "cluster: %d pods in %d namespaces on %d nodes, %d Services, %d policies%n",
        cluster.pods.size(),
        cluster.namespaceObjects.size(),
        cluster.nodes,
        cluster.services.size(),
        cluster.policies.size());
    Path apiDir = Files.createTempDirectory("netpol-bench-api-");
    Process api =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx4g",
                "-cp",
                System.getProperty("java.class.path"),
                ApiMain.class.getName(),
                apiDir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (KubernetesClient client = client(url(api))) {
      // the policies live in the API too: PolicyEndpoints are owned by them (the API's garbage
      // collector removes those whose owner it does not know)
      List<NetworkPolicy> stored = prepareApi(client, cluster.namespaceObjects, cluster.policies);
      SyntheticInformer<NetworkPolicy> nps = new SyntheticInformer<>(stored);
      SyntheticInformer<Pod> pods = new SyntheticInformer<>(cluster.pods);
      SyntheticInformer<Namespace> nss = new SyntheticInformer<>(cluster.namespaceObjects);
      SyntheticInformer<Service> svcs = new SyntheticInformer<>(cluster.services);
      SharedIndexInformer<PolicyEndpoint> pes =
          client.resources(PolicyEndpoint.class).inAnyNamespace().inform();
      InformerSource informers =
          InformerSource.of(nps.informer(), pods.informer(), nss.informer(), svcs.informer(), pes);
      long before = liveHeap();
      long t0 = System.nanoTime();
      PolicyController controller =
          new PolicyController(
                  client,
                  informers,
                  ControllerOptions.defaults()
                      .withResyncPeriod(Duration.ofHours(1))
                      .withWorkers(opt.get("workers")))
              .start();
      awaitIdle(controller, 3600);
      double full = (System.nanoTime() - t0) / 1e9;
      long written =
          client.resources(PolicyEndpoint.class).inAnyNamespace().list().getItems().size();
      System.out.printf(
          "full resolution: %.1f s, %d writes, %d PolicyEndpoints, %d conflicts%n",
          full, controller.writes(), written, controller.conflicts());
      long after = liveHeap();
      r.put("full_resolution_s", round(full));
      r.put("writes", controller.writes());
      r.put("policy_endpoints", written);
      r.put("conflicts", controller.conflicts());
      r.put("heap_cluster_objects_mib", mib(before - baseline));
      r.put("heap_controller_mib", mib(after - before));
      r.put("heap_total_mib", mib(after));
      System.out.printf(
          "heap: synthetic cluster objects %.0f MiB, controller %.0f MiB, total live %.0f MiB%n",
          mib(before - baseline), mib(after - before), mib(after));

      r.put(
          "canary",
          changes(controller, pods, cluster, opt.get("changes"), SyntheticCluster::canaryChange));
      r.put(
          "app",
          changes(controller, pods, cluster, opt.get("changes"), SyntheticCluster::appChange));
      r.put("reconciles", controller.reconciles());
      r.put("errors", controller.errors());
      controller.close();
      pes.close();
    } finally {
      api.getOutputStream().close();
      api.waitFor();
      deleteTree(apiDir);
    }
    return r;
  }

  /**
   * {@code n} label changes, each on a pod of another namespace, each first applied then reverted
   * (two events); returns the latency percentiles (ms) from event to last write returned.
   */
  static Map<String, Object> changes(
      PolicyController controller,
      SyntheticInformer<Pod> pods,
      SyntheticCluster cluster,
      int n,
      BiFunction<Pod, String, Pod> change)
      throws Exception {
    List<Double> latency = new ArrayList<>();
    List<Double> planned = new ArrayList<>();
    List<Double> settled = new ArrayList<>();
    List<Double> wall = new ArrayList<>();
    int rv = 1000;
    long reconcilesBefore = -1;
    int warmUp = 5;
    for (int i = -warmUp; i < n; i++) {
      int ns = (cluster.namespaces / 2 + i + warmUp) % cluster.namespaces;
      String key = SyntheticCluster.ns(ns) + "/" + SyntheticCluster.podName(ns, 42);
      Pod original = pods.get(key);
      for (Pod next : List.of(change.apply(original, "" + rv++), original)) {
        if (next == original) {
          next = io.fabric8.kubernetes.client.utils.Serialization.clone(original);
          next.getMetadata().setResourceVersion("" + rv++);
        }
        long samples = controller.latency().count();
        long plannedSamples = controller.planned().count();
        long settledSamples = controller.settled().count();
        long t0 = System.nanoTime();
        pods.update(next);
        awaitIdle(controller, 60);
        if (i < 0) {
          reconcilesBefore = controller.reconciles();
          continue; // warm-up: the code paths of a change compiled before measuring
        }
        wall.add((System.nanoTime() - t0) / 1e6);
        List<Double> s = controller.latency().samplesMillis(samples);
        if (!s.isEmpty()) {
          latency.add(s.stream().mapToDouble(Double::doubleValue).max().getAsDouble());
        }
        s = controller.planned().samplesMillis(plannedSamples);
        if (!s.isEmpty()) {
          planned.add(s.stream().mapToDouble(Double::doubleValue).max().getAsDouble());
        }
        s = controller.settled().samplesMillis(settledSamples);
        if (!s.isEmpty()) {
          settled.add(s.stream().mapToDouble(Double::doubleValue).max().getAsDouble());
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("events", wall.size());
    m.put("events_with_writes", latency.size());
    m.put(
        "policies_reconciled_per_event",
        round((controller.reconciles() - reconcilesBefore) / (double) wall.size()));
    m.put("event_to_write_p50_ms", round(percentile(latency, 50)));
    m.put("event_to_write_p99_ms", round(percentile(latency, 99)));
    m.put("event_to_write_max_ms", round(percentile(latency, 100)));
    m.put("event_to_writes_sent_p50_ms", round(percentile(planned, 50)));
    m.put("event_to_writes_sent_p99_ms", round(percentile(planned, 99)));
    m.put("event_to_status_written_p50_ms", round(percentile(settled, 50)));
    m.put("event_to_status_written_p99_ms", round(percentile(settled, 99)));
    m.put("event_to_idle_p50_ms", round(percentile(wall, 50)));
    m.put("event_to_idle_p99_ms", round(percentile(wall, 99)));
    System.out.printf("label change: %s%n", m);
    return m;
  }

  private static void awaitIdle(PolicyController c, int seconds) throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    // idle twice in a row, 5 ms apart: a write's echo must not find it idle between two steps
    int idle = 0;
    while (idle < 2) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("controller not idle after " + seconds + " s");
      }
      idle = c.idle() ? idle + 1 : 0;
      Thread.sleep(idle == 0 ? 1 : 5);
    }
  }

  /** CRD, namespaces, policies; returns the policies as stored (with their uids). */
  private static List<NetworkPolicy> prepareApi(
      KubernetesClient client, List<Namespace> namespaces, List<NetworkPolicy> policies)
      throws Exception {
    try (InputStream in = PolicyEndpoint.class.getResourceAsStream(PolicyEndpoint.CRD_RESOURCE)) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .create();
    }
    var pool = Executors.newFixedThreadPool(8);
    List<Future<?>> fs = new ArrayList<>();
    for (Namespace ns : namespaces) {
      if (List.of("default", "kube-system").contains(ns.getMetadata().getName())) {
        continue;
      }
      fs.add(
          pool.submit(
              () ->
                  client
                      .namespaces()
                      .resource(
                          new NamespaceBuilder()
                              .withNewMetadata()
                              .withName(ns.getMetadata().getName())
                              .endMetadata()
                              .build())
                      .create()));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    List<Future<NetworkPolicy>> created = new ArrayList<>();
    for (NetworkPolicy np : policies) {
      NetworkPolicy copy = io.fabric8.kubernetes.client.utils.Serialization.clone(np);
      copy.getMetadata().setUid(null);
      copy.getMetadata().setResourceVersion(null);
      created.add(
          pool.submit(() -> client.network().v1().networkPolicies().resource(copy).create()));
    }
    List<NetworkPolicy> out = new ArrayList<>();
    for (Future<NetworkPolicy> f : created) {
      out.add(f.get());
    }
    pool.shutdown();
    while (!client.supports(PolicyEndpoint.class)) {
      Thread.sleep(50);
    }
    return out;
  }

  private static String url(Process api) throws Exception {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(api.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith("url=")) {
        return line.substring(4);
      }
    }
    throw new IllegalStateException("the API process ended without a URL");
  }

  private static KubernetesClient client(String url) {
    Config cfg =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withHttp2Disable(true)
            .withOnlyHttpWatches(true)
            .withRequestRetryBackoffLimit(5)
            .build();
    return new KubernetesClientBuilder()
        .withConfig(cfg)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .build();
  }

  static long liveHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static double mib(long bytes) {
    return round(bytes / 1048576.0);
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(values);
    s.sort(null);
    int i = (int) Math.min(s.size() - 1, Math.max(0, Math.ceil(p / 100.0 * s.size()) - 1));
    return s.get(i);
  }

  private static void write(Path dir, Map<String, Integer> opt, Map<String, Object> r)
      throws Exception {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("benchmark", "controller-scale");
    all.put("machine", machine());
    all.put("parameters", opt);
    all.put("results", r);
    Files.writeString(dir.resolve("controller-scale.json"), json(all, "") + "\n");
    StringBuilder csv = new StringBuilder("metric,value\n");
    flatten("", r, csv);
    Files.writeString(dir.resolve("controller-scale.csv"), csv);
    StringBuilder md = new StringBuilder("# Controller at scale\n\n");
    md.append("Machine: ").append(machine()).append("\n\n");
    md.append("Parameters: ").append(opt).append("\n\n| metric | value |\n|---|---|\n");
    csv.toString()
        .lines()
        .skip(1)
        .forEach(l -> md.append("| ").append(l.replace(",", " | ")).append(" |\n"));
    Files.writeString(dir.resolve("controller-scale.md"), md);
    System.out.println("results in " + dir.toAbsolutePath());
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> m, StringBuilder csv) {
    m.forEach(
        (k, v) -> {
          if (v instanceof Map<?, ?> sub) {
            flatten(prefix + k + ".", (Map<String, Object>) sub, csv);
          } else {
            csv.append(prefix).append(k).append(',').append(v).append('\n');
          }
        });
  }

  @SuppressWarnings("unchecked")
  private static String json(Object v, String indent) {
    if (v instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{\n");
      int i = 0;
      for (var e : ((Map<String, Object>) m).entrySet()) {
        b.append(indent).append("  \"").append(e.getKey()).append("\": ");
        b.append(json(e.getValue(), indent + "  "));
        b.append(++i < m.size() ? ",\n" : "\n");
      }
      return b.append(indent).append("}").toString();
    }
    if (v instanceof Number n) {
      return Double.isNaN(n.doubleValue()) ? "null" : n.toString();
    }
    return "\"" + String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static String machine() {
    String load;
    try {
      load = Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      load = "?";
    }
    return String.format(
        Locale.ROOT,
        "%s %s, %d CPUs, load average %s, Java %s, max heap %d MiB",
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        Runtime.getRuntime().availableProcessors(),
        load,
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() / 1048576);
  }

  private static void deleteTree(Path root) throws Exception {
    try (var s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
