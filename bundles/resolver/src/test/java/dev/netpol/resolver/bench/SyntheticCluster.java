package dev.netpol.resolver.bench;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic cluster shaped like a multi-tenant one, for the scale benchmarks: application
 * namespaces of 100 pods (10 apps of 10 pods, each app behind a Service), spread at random over the
 * nodes, with 10 policies each:
 *
 * <ul>
 *   <li>{@code default-deny}: every pod, both directions isolated;
 *   <li>{@code allow-dns}: every pod may reach kube-dns in kube-system (UDP and TCP 53);
 *   <li>{@code allow-monitoring}: prometheus in the monitoring namespace may scrape every pod on
 *       its named port {@code metrics};
 *   <li>{@code app-K} (K = 0..5): app K admits app K-1 on the named port {@code http} and may reach
 *       app K+1 on 8080 (so its Service's ClusterIP as well);
 *   <li>{@code canary}: pods labelled {@code role=canary} (none at first) admit app 0.
 * </ul>
 *
 * The change the benchmarks time is {@link #canaryChange}: one pod gets {@code role=canary}. It
 * changes what two policies select (canary, and the pod stays in the namespace-wide ones) and no
 * Service's backends. {@link #appChange} moves a pod to another app (and Service) instead.
 */
public final class SyntheticCluster {
  public static final int PODS_PER_NAMESPACE = 100;
  public static final int APPS = 10;
  public static final int POLICIES_PER_NAMESPACE = 10;

  public final int namespaces;
  public final int nodes;
  public final List<Namespace> namespaceObjects = new ArrayList<>();
  public final List<Pod> pods = new ArrayList<>();
  public final List<Service> services = new ArrayList<>();
  public final List<NetworkPolicy> policies = new ArrayList<>();
  private final SplittableRandom random;

  /**
   * @param pods total pods (rounded down to whole namespaces of 100)
   * @param policies total policies (at most 10 per namespace)
   */
  public SyntheticCluster(int pods, int policies, int nodes, long seed) {
    this.namespaces = Math.max(1, pods / PODS_PER_NAMESPACE);
    this.nodes = nodes;
    this.random = new SplittableRandom(seed);
    namespaceObjects.add(namespace("kube-system", Map.of()));
    namespaceObjects.add(namespace("monitoring", Map.of("purpose", "monitoring")));
    for (int i = 0; i < 2; i++) {
      this.pods.add(
          pod("kube-system", "coredns-" + i, Map.of("k8s-app", "kube-dns"), ip(1, i), node()));
    }
    this.pods.add(pod("monitoring", "prometheus-0", Map.of("app", "prometheus"), ip(2, 0), node()));
    services.add(service("kube-system", "kube-dns", 0, Map.of("k8s-app", "kube-dns"), 53, "dns"));
    int policyBudget = policies;
    for (int n = 0; n < namespaces; n++) {
      String ns = ns(n);
      namespaceObjects.add(
          namespace(ns, Map.of("team", "t" + (n % 25), "env", n % 3 == 0 ? "prod" : "dev")));
      for (int p = 0; p < PODS_PER_NAMESPACE; p++) {
        int app = p % APPS;
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", "a" + app);
        labels.put("role", p < APPS ? "web" : "worker");
        labels.put("version", "v" + (p % 3));
        this.pods.add(pod(ns, podName(n, p), labels, ip(16 + n, p), node()));
      }
      for (int a = 0; a < APPS; a++) {
        services.add(service(ns, "a" + a, 1 + n * APPS + a, Map.of("app", "a" + a), 80, "http"));
      }
      for (int k = 0; k < POLICIES_PER_NAMESPACE && policyBudget > 0; k++, policyBudget--) {
        this.policies.add(policy(ns, k));
      }
    }
  }

  public static String ns(int n) {
    return String.format("ns-%04d", n);
  }

  public static String podName(int n, int p) {
    return String.format("p-%04d-%03d", n, p);
  }

  /** The pod {@link #canaryChange} relabels: one in the middle namespace. */
  public Pod changedPod() {
    int n = namespaces / 2;
    String name = podName(n, 42);
    return pods.stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst().get();
  }

  /** A copy of {@code pod} with {@code role=canary} and a new resourceVersion. */
  public static Pod canaryChange(Pod pod, String resourceVersion) {
    Pod copy = Serialization.clone(pod);
    copy.getMetadata().getLabels().put("role", "canary");
    copy.getMetadata().setResourceVersion(resourceVersion);
    return copy;
  }

  /** A copy of {@code pod} moved to the next app (another Service's backend). */
  public static Pod appChange(Pod pod, String resourceVersion) {
    Pod copy = Serialization.clone(pod);
    int app = Integer.parseInt(copy.getMetadata().getLabels().get("app").substring(1));
    copy.getMetadata().getLabels().put("app", "a" + ((app + 1) % APPS));
    copy.getMetadata().setResourceVersion(resourceVersion);
    return copy;
  }

  private String node() {
    return String.format("node-%04d", random.nextInt(nodes));
  }

  /** 10.(block/256).(block%256).(i+1); blocks 16.. for application namespaces. */
  private static String ip(int block, int i) {
    return "10." + ((block >> 8) & 0xff) + "." + (block & 0xff) + "." + (i + 1);
  }

  private static Namespace namespace(String name, Map<String, String> labels) {
    Map<String, String> l = new LinkedHashMap<>(labels);
    l.put("kubernetes.io/metadata.name", name);
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(l)
        .withResourceVersion("1")
        .endMetadata()
        .build();
  }

  private static Pod pod(
      String ns, String name, Map<String, String> labels, String ip, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .withUid(ns + "-" + name)
        .withResourceVersion("1")
        .withLabels(new LinkedHashMap<>(labels))
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("main")
        .withImage("registry.example/app:1")
        .withPorts(
            new ContainerPortBuilder()
                .withName("http")
                .withContainerPort(8080)
                .withProtocol("TCP")
                .build(),
            new ContainerPortBuilder()
                .withName("metrics")
                .withContainerPort(9090)
                .withProtocol("TCP")
                .build(),
            new ContainerPortBuilder()
                .withName("dns")
                .withContainerPort(53)
                .withProtocol("UDP")
                .build())
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .withPodIPs(new PodIP(ip))
        .endStatus()
        .build();
  }

  /** ClusterIPs from 10.96.0.0/12 (10.96.0.1 ...). */
  private static Service service(
      String ns, String name, int index, Map<String, String> selector, int port, String target) {
    int i = index + 1;
    String clusterIp = "10." + (96 + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .withResourceVersion("1")
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP(clusterIp)
        .withClusterIPs(clusterIp)
        .withSelector(selector)
        .withPorts(
            new ServicePortBuilder()
                .withPort(port)
                .withTargetPort(new IntOrString(target))
                .withProtocol(target.equals("dns") ? "UDP" : "TCP")
                .build())
        .endSpec()
        .build();
  }

  private static NetworkPolicy policy(String ns, int k) {
    String meta =
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: " + ns;
    String yaml =
        switch (k) {
          case 0 ->
              meta
                  + ", name: default-deny, uid: "
                  + ns
                  + "-0}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}";
          case 1 ->
              meta
                  + ", name: allow-dns, uid: "
                  + ns
                  + "-1}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{to:"
                  + " [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}},"
                  + " podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{port: 53, protocol:"
                  + " UDP}, {port: 53, protocol: TCP}]}]}";
          case 2 ->
              meta
                  + ", name: allow-monitoring, uid: "
                  + ns
                  + "-2}\nspec: {podSelector: {}, ingress: [{from: [{namespaceSelector:"
                  + " {matchLabels: {purpose: monitoring}}, podSelector: {matchLabels: {app:"
                  + " prometheus}}}], ports: [{port: metrics}]}]}";
          case 9 ->
              meta
                  + ", name: canary, uid: "
                  + ns
                  + "-9}\nspec: {podSelector: {matchLabels: {role: canary}}, ingress: [{from:"
                  + " [{podSelector: {matchLabels: {app: a0}}}]}]}";
          default -> {
            int app = k - 3;
            yield meta
                + ", name: app-"
                + app
                + ", uid: "
                + ns
                + "-"
                + k
                + "}\nspec: {podSelector: {matchLabels: {app: a"
                + app
                + "}}, policyTypes: [Ingress, Egress], ingress: [{from: [{podSelector:"
                + " {matchLabels: {app: a"
                + ((app + APPS - 1) % APPS)
                + "}}}], ports: [{port: http}]}], egress: [{to: [{podSelector: {matchLabels:"
                + " {app: a"
                + (app + 1)
                + "}}}], ports: [{port: 8080}]}]}";
          }
        };
    NetworkPolicy np = Serialization.unmarshal(yaml, NetworkPolicy.class);
    np.getMetadata().setResourceVersion("1");
    return np;
  }
}
