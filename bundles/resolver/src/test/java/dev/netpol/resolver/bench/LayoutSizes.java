package dev.netpol.resolver.bench;

import dev.netpol.policyendpoint.NodeLabels;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointStatus;
import dev.netpol.resolver.ClusterSnapshot;
import dev.netpol.resolver.PolicyEndpointPlanner;
import dev.netpol.resolver.PolicyResolver;
import dev.netpol.resolver.ResolvedPolicy;
import dev.netpol.resolver.internal.ClusterIndex;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * PolicyEndpoint object sizes and watch traffic at 1,000 nodes, for the layout before the split
 * ({@link LegacyLayout}), selections per node for every policy, and the current default (per node
 * above 100 selected pods; {@link PolicyEndpointPlanner}). Objects are measured as the JSON the API
 * stores and sends in watch events (with the metadata and status the API and the controller add);
 * each object reaches the agents whose node label it carries.
 *
 * <ul>
 *   <li>{@code big}: one namespace of 5,000 pods spread over the 1,000 nodes, {@code deny} (selects
 *       all, no rule) and {@code same-ns} (selects all, admits all of the namespace);
 *   <li>{@code multi-tenant}: {@link SyntheticCluster}, 50,000 pods in 500 namespaces on 1,000
 *       nodes, 5,000 policies.
 * </ul>
 *
 * Events: a pod added in {@code big} on a node that hosts some of its pods already (churn), one on
 * a node that hosts none yet, and in {@code multi-tenant} a pod of an app replaced (new IP). Per
 * event: objects written, bytes written, and bytes sent to agents (every written object to every
 * agent that watches it, before or after).
 *
 * <p>Run with the test classpath: {@code java dev.netpol.resolver.bench.LayoutSizes [DIR]}; writes
 * {@code DIR/layout-sizes.md} and {@code .csv}.
 */
public final class LayoutSizes {
  static final int NODES = 1000;
  private final Map<String, String> nodeOfLabel = new HashMap<>();

  private LayoutSizes() {
    for (int n = 0; n < NODES + 1; n++) {
      String node = node(n);
      nodeOfLabel.put(NodeLabels.keyFor(node), node);
    }
  }

  static String node(int n) {
    return n == NODES ? "node-new" : String.format("node-%04d", n);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/bench"));
    LayoutSizes t = new LayoutSizes();
    Map<String, Function<ResolvedPolicy, List<PolicyEndpoint>>> layouts = new LinkedHashMap<>();
    layouts.put(
        "before (every chunk: selection + rules + all node labels)", new LegacyLayout(1000)::plan);
    layouts.put(
        "a selection object per node for every policy (per-node-above = 0)",
        new PolicyEndpointPlanner(1000, 0)::plan);
    layouts.put(
        "now: a selection object per node for policies selecting more than 100 pods (default)",
        new PolicyEndpointPlanner()::plan);
    StringBuilder md = new StringBuilder("# PolicyEndpoint layout at 1,000 nodes\n\n");
    StringBuilder csv = new StringBuilder("layout,scenario,metric,value\n");
    md.append(
        "Sizes are JSON as stored and sent in watch events; fan-out = every object to every agent"
            + " whose node label it carries.\n\n");
    for (var l : layouts.entrySet()) {
      md.append("## ")
          .append(l.getKey())
          .append("\n\n| scenario | metric | value |\n|---|---|---|\n");
      for (var row : t.measure(l.getValue()).entrySet()) {
        String[] k = row.getKey().split("\\|");
        md.append("| ")
            .append(k[0])
            .append(" | ")
            .append(k[1])
            .append(" | ")
            .append(row.getValue())
            .append(" |\n");
        csv.append('"')
            .append(l.getKey())
            .append("\",")
            .append(k[0])
            .append(',')
            .append(k[1])
            .append(',')
            .append(row.getValue())
            .append('\n');
      }
      md.append('\n');
    }
    Files.writeString(dir.resolve("layout-sizes.md"), md);
    Files.writeString(dir.resolve("layout-sizes.csv"), csv);
    System.out.print(md);
  }

  Map<String, String> measure(Function<ResolvedPolicy, List<PolicyEndpoint>> layout) {
    Map<String, String> out = new LinkedHashMap<>();
    // big namespace
    List<Pod> pods = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 5000; i++) {
      pods.add(
          pod("big", "p" + i, "10.1." + (i / 250) + "." + (i % 250 + 1), node(rnd.nextInt(NODES))));
    }
    List<NetworkPolicy> big =
        List.of(
            policy("big", "deny", "{podSelector: {}}"),
            policy("big", "same-ns", "{podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}"));
    List<Namespace> nss = List.of(ns("big"));
    Map<String, List<PolicyEndpoint>> before = plan(layout, nss, pods, big);
    initial(out, "big", before);
    List<Pod> churn = new ArrayList<>(pods);
    churn.add(pod("big", "churn", "10.1.99.1", pods.get(0).getSpec().getNodeName()));
    event(out, "big: pod added on a node with pods", before, plan(layout, nss, churn, big));
    List<Pod> fresh = new ArrayList<>(pods);
    fresh.add(pod("big", "fresh", "10.1.99.2", node(NODES)));
    event(out, "big: pod added on a new node", before, plan(layout, nss, fresh, big));

    // multi-tenant
    SyntheticCluster c = new SyntheticCluster(50_000, 5_000, NODES, 42);
    Map<String, List<PolicyEndpoint>> mt = plan(layout, c.namespaceObjects, c.pods, c.policies, c);
    initial(out, "multi-tenant", mt);
    Pod changed = c.changedPod();
    List<Pod> moved = new ArrayList<>(c.pods);
    moved.remove(changed);
    Pod replaced = Serialization.clone(changed);
    replaced.getStatus().setPodIP("10.250.0.1");
    replaced.getStatus().getPodIPs().get(0).setIp("10.250.0.1");
    moved.add(replaced);
    event(
        out,
        "multi-tenant: app pod replaced (new IP)",
        mt,
        plan(layout, c.namespaceObjects, moved, c.policies, c));
    return out;
  }

  private Map<String, List<PolicyEndpoint>> plan(
      Function<ResolvedPolicy, List<PolicyEndpoint>> layout,
      List<Namespace> nss,
      List<Pod> pods,
      List<NetworkPolicy> policies) {
    return plan(layout, nss, pods, policies, null);
  }

  private Map<String, List<PolicyEndpoint>> plan(
      Function<ResolvedPolicy, List<PolicyEndpoint>> layout,
      List<Namespace> nss,
      List<Pod> pods,
      List<NetworkPolicy> policies,
      SyntheticCluster c) {
    ClusterIndex index =
        ClusterIndex.of(ClusterSnapshot.of(nss, pods, c == null ? List.of() : c.services));
    PolicyResolver resolver = new PolicyResolver();
    Map<String, List<PolicyEndpoint>> out = new LinkedHashMap<>();
    for (NetworkPolicy np : policies) {
      ResolvedPolicy r = (ResolvedPolicy) resolver.resolve(index, np);
      List<PolicyEndpoint> pes = layout.apply(r);
      pes.forEach(LayoutSizes::asStored);
      out.put(np.getMetadata().getNamespace() + "/" + np.getMetadata().getName(), pes);
    }
    return out;
  }

  /** The metadata the API adds and the status the controller writes (chunks with a position). */
  static void asStored(PolicyEndpoint pe) {
    var md = pe.getMetadata();
    md.setUid("0f8e7c6d-5b4a-4392-8170-6f5e4d3c2b1a");
    md.setResourceVersion("12345678");
    md.setCreationTimestamp("2026-12-05T12:00:00Z");
    md.setGeneration(1L);
    md.setAnnotations(Map.of(PolicyEndpoint.CHANGE_SEEN_AT, "2026-12-05T12:00:00.123456789Z"));
    if (pe.getSpec().getChunk() != null) {
      PolicyEndpointStatus st = new PolicyEndpointStatus();
      st.setConditions(
          List.of(
              new ConditionBuilder()
                  .withType(PolicyEndpoint.RESOLVED)
                  .withStatus("True")
                  .withReason("Resolved")
                  .withMessage("policy resolved")
                  .withLastTransitionTime("2026-12-05T12:00:00Z")
                  .build()));
      st.setSelectedPods(pe.getSpec().getPodSelectorEndpoints().size());
      st.setIngressEntries(pe.getSpec().getIngress().size());
      st.setEgressEntries(pe.getSpec().getEgress().size());
      pe.setStatus(st);
    } else {
      pe.setStatus(null);
    }
  }

  static int size(PolicyEndpoint pe) {
    return Serialization.asJson(pe).getBytes(StandardCharsets.UTF_8).length;
  }

  Set<String> receivers(PolicyEndpoint pe) {
    Set<String> out = new HashSet<>();
    if (pe.getMetadata().getLabels() != null) {
      for (String k : pe.getMetadata().getLabels().keySet()) {
        String n = nodeOfLabel.get(k);
        if (n != null) {
          out.add(n);
        }
      }
    }
    return out;
  }

  void initial(Map<String, String> out, String scenario, Map<String, List<PolicyEndpoint>> plans) {
    long objects = 0;
    long bytes = 0;
    long fanout = 0;
    int maxSize = 0;
    int maxLabels = 0;
    Map<String, Long> perAgent = new HashMap<>();
    for (List<PolicyEndpoint> pes : plans.values()) {
      for (PolicyEndpoint pe : pes) {
        int s = size(pe);
        objects++;
        bytes += s;
        maxSize = Math.max(maxSize, s);
        maxLabels = Math.max(maxLabels, pe.getMetadata().getLabels().size());
        for (String n : receivers(pe)) {
          perAgent.merge(n, (long) s, Long::sum);
          fanout += s;
        }
      }
    }
    long maxAgent = perAgent.values().stream().mapToLong(Long::longValue).max().orElse(0);
    double meanAgent = perAgent.values().stream().mapToLong(Long::longValue).average().orElse(0);
    out.put(scenario + "|objects", String.valueOf(objects));
    out.put(scenario + "|stored, all objects", kib(bytes));
    out.put(scenario + "|largest object", kib(maxSize));
    out.put(scenario + "|most node labels on an object", String.valueOf(maxLabels));
    out.put(scenario + "|initial list, largest agent", kib(maxAgent));
    out.put(scenario + "|initial list, mean agent", kib((long) meanAgent));
    out.put(scenario + "|initial lists, all agents", kib(fanout));
  }

  void event(
      Map<String, String> out,
      String scenario,
      Map<String, List<PolicyEndpoint>> before,
      Map<String, List<PolicyEndpoint>> after) {
    Map<String, PolicyEndpoint> old = byName(before);
    Map<String, PolicyEndpoint> now = byName(after);
    long writes = 0;
    long written = 0;
    long fanout = 0;
    for (var e : now.entrySet()) {
      PolicyEndpoint b = old.get(e.getKey());
      PolicyEndpoint a = e.getValue();
      boolean spec = b == null || !PolicyEndpointPlanner.sameContent(a, b);
      boolean status = b != null && a.getStatus() != null && !a.getStatus().equals(b.getStatus());
      Set<String> to = receivers(a);
      if (b != null) {
        to.addAll(receivers(b));
      }
      int s = size(a);
      for (boolean w : new boolean[] {spec, status}) {
        if (w) {
          writes++;
          written += s;
          fanout += (long) s * to.size();
        }
      }
    }
    for (var e : old.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        writes++;
        fanout += (long) size(e.getValue()) * receivers(e.getValue()).size();
      }
    }
    out.put(scenario + "|writes", String.valueOf(writes));
    out.put(scenario + "|bytes written", kib(written));
    out.put(scenario + "|bytes sent to agents", kib(fanout));
  }

  private static Map<String, PolicyEndpoint> byName(Map<String, List<PolicyEndpoint>> plans) {
    Map<String, PolicyEndpoint> out = new HashMap<>();
    plans
        .values()
        .forEach(
            l ->
                l.forEach(
                    pe ->
                        out.put(
                            pe.getMetadata().getNamespace() + "/" + pe.getMetadata().getName(),
                            pe)));
    return out;
  }

  static String kib(long bytes) {
    if (bytes >= 10L * 1024 * 1024) {
      return String.format("%.1f MiB", bytes / 1048576.0);
    }
    return String.format("%.1f KiB", bytes / 1024.0);
  }

  private static Namespace ns(String name) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("kubernetes.io/metadata.name", name)
        .endMetadata()
        .build();
  }

  private static Pod pod(String ns, String name, String ip, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .addToLabels("app", ns)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .addNewPodIP(ip)
        .endStatus()
        .build();
  }

  private static NetworkPolicy policy(String ns, String name, String spec) {
    NetworkPolicy np =
        Serialization.unmarshal(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: "
                + ns
                + ", name: "
                + name
                + ", uid: uid-"
                + name
                + "}\nspec: "
                + spec,
            NetworkPolicy.class);
    return np;
  }
}
