package dev.netpol.resolver;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A seeded random cluster: namespaces, pods (some excluded), services and valid policies. */
final class RandomCluster {
  static final String[] APPS = {"w", "x", "y"};
  final Random rnd;
  final List<Namespace> namespaces = new ArrayList<>();
  final List<Pod> pods = new ArrayList<>();
  final List<Service> services = new ArrayList<>();
  final List<NetworkPolicy> policies = new ArrayList<>();

  RandomCluster(long seed) {
    rnd = new Random(seed);
    int nsCount = 1 + rnd.nextInt(3);
    for (int n = 0; n < nsCount; n++) {
      String name = "ns" + n;
      namespaces.add(
          rnd.nextBoolean() ? Fixtures.ns(name, "team=" + pick("a", "b")) : Fixtures.ns(name));
      int podCount = 1 + rnd.nextInt(5);
      for (int p = 0; p < podCount; p++) {
        pods.add(pod(n, p));
      }
      int svcCount = rnd.nextInt(3);
      for (int s = 0; s < svcCount; s++) {
        String ip = "198.19.200." + (n * 10 + s + 1);
        services.add(
            rnd.nextBoolean()
                ? Fixtures.svc(
                    name,
                    "s" + s,
                    ip,
                    Map.of("app", pick(APPS)),
                    "80:" + pick("80", "8080", "http") + "/TCP",
                    "53:dns/UDP")
                : Fixtures.svc(name, "s" + s, ip, Map.of("app", pick(APPS)), "80:80/TCP"));
      }
    }
    int policyCount = 1 + rnd.nextInt(3);
    for (int i = 0; i < policyCount; i++) {
      policies.add(policy(i));
    }
  }

  /** A random pod {@code ns<n>/p<p>}: labels, addresses, phase and ports drawn afresh. */
  Pod pod(int n, int p) {
    Fixtures.PodSpecBuilder b = Fixtures.pod("ns" + n, "p" + p).node("node-" + rnd.nextInt(3));
    if (rnd.nextInt(4) > 0) {
      b.labels("app=" + pick(APPS));
    }
    if (rnd.nextBoolean()) {
      b.labels("tier=" + pick("1", "2"));
    }
    int kind = rnd.nextInt(20);
    if (kind == 0) {
      b.hostNetwork().ips("198.18.250." + (n * 10 + p + 1));
    } else if (kind == 1) {
      b.phase("Pending");
    } else if (kind == 2) {
      b.phase("Succeeded").ips("198.18.251." + (n * 10 + p + 1));
    } else {
      b.ips("198.18." + n + "." + (p + 1));
      if (rnd.nextInt(4) == 0) {
        b.ips("fd00:198:18::" + n + ":" + (p + 1));
      }
    }
    if (rnd.nextBoolean()) {
      b.port("http", pick(80, 8080), "TCP");
    }
    if (rnd.nextBoolean()) {
      b.port("dns", 53, pick("UDP", "TCP"));
    }
    if (rnd.nextBoolean()) {
      b.port("web", pick(81, 80), "TCP");
    }
    return b.build();
  }

  private NetworkPolicy policy(int i) {
    var b =
        new NetworkPolicyBuilder()
            .withNewMetadata()
            .withNamespace("ns" + rnd.nextInt(namespaces.size()))
            .withName("pol" + i)
            .withUid("uid-" + i)
            .endMetadata()
            .withNewSpec()
            .withPodSelector(selector(false))
            .endSpec();
    if (rnd.nextInt(10) < 7) {
      List<String> types = new ArrayList<>();
      if (rnd.nextBoolean()) {
        types.add("Ingress");
      }
      if (types.isEmpty() || rnd.nextBoolean()) {
        types.add("Egress");
      }
      b.editSpec().withPolicyTypes(types).endSpec();
    }
    int in = rnd.nextInt(10);
    if (in >= 2) {
      List<NetworkPolicyIngressRule> rules = new ArrayList<>();
      for (int r = in < 4 ? 0 : 1 + rnd.nextInt(2); r > 0; r--) {
        rules.add(new NetworkPolicyIngressRule(peers(), ports()));
      }
      b.editSpec().withIngress(rules).endSpec();
    }
    int eg = rnd.nextInt(10);
    if (eg >= 2) {
      List<NetworkPolicyEgressRule> rules = new ArrayList<>();
      for (int r = eg < 4 ? 0 : 1 + rnd.nextInt(2); r > 0; r--) {
        rules.add(new NetworkPolicyEgressRule(ports(), peers()));
      }
      b.editSpec().withEgress(rules).endSpec();
    }
    return b.build();
  }

  private LabelSelector selector(boolean namespace) {
    int k = rnd.nextInt(10);
    if (k < 3) {
      return new LabelSelector();
    }
    if (namespace) {
      return k < 6
          ? new LabelSelectorBuilder().addToMatchLabels("team", pick("a", "b")).build()
          : new LabelSelectorBuilder()
              .addNewMatchExpression()
              .withKey("kubernetes.io/metadata.name")
              .withOperator(pick("In", "NotIn"))
              .withValues("ns" + rnd.nextInt(3))
              .endMatchExpression()
              .build();
    }
    if (k < 6) {
      return new LabelSelectorBuilder().addToMatchLabels("app", pick(APPS)).build();
    }
    LabelSelectorBuilder b = new LabelSelectorBuilder();
    for (int r = 1 + rnd.nextInt(2); r > 0; r--) {
      String key = pick("app", "tier");
      String op = pick("In", "NotIn", "Exists", "DoesNotExist");
      List<String> values =
          op.endsWith("In")
              ? List.of(key.equals("app") ? pick(APPS) : pick("1", "2"), pick("x", "2"))
              : List.of();
      b.addNewMatchExpression()
          .withKey(key)
          .withOperator(op)
          .withValues(values)
          .endMatchExpression();
    }
    return b.build();
  }

  private List<NetworkPolicyPeer> peers() {
    if (rnd.nextInt(10) < 3) {
      return null;
    }
    List<NetworkPolicyPeer> out = new ArrayList<>();
    for (int p = 1 + rnd.nextInt(2); p > 0; p--) {
      NetworkPolicyPeer peer = new NetworkPolicyPeer();
      switch (rnd.nextInt(4)) {
        case 0 -> peer.setPodSelector(selector(false));
        case 1 -> peer.setNamespaceSelector(selector(true));
        case 2 -> {
          peer.setPodSelector(selector(false));
          peer.setNamespaceSelector(selector(true));
        }
        default -> peer.setIpBlock(ipBlock());
      }
      out.add(peer);
    }
    return out;
  }

  private IPBlock ipBlock() {
    if (rnd.nextInt(6) == 0) {
      return new IPBlock(
          "fd00:198:18::/48", rnd.nextBoolean() ? List.of("fd00:198:18::1:1/128") : List.of());
    }
    String cidr =
        pick("198.18.0.0/16", "198.18." + rnd.nextInt(3) + ".0/24", "0.0.0.0/0", "198.18.1.7/30");
    List<String> except = new ArrayList<>();
    if (rnd.nextBoolean() && !cidr.endsWith("/30")) {
      except.add(
          cidr.startsWith("0.")
              ? "198.18." + rnd.nextInt(3) + ".0/24"
              : cidr.endsWith("/16")
                  ? "198.18." + rnd.nextInt(3) + "." + (1 + rnd.nextInt(4)) + "/32"
                  : cidr.replace(".0/24", "." + (1 + rnd.nextInt(4)) + "/32"));
    }
    return new IPBlock(cidr, except);
  }

  private List<NetworkPolicyPort> ports() {
    if (rnd.nextInt(10) < 3) {
      return null;
    }
    List<NetworkPolicyPort> out = new ArrayList<>();
    for (int p = 1 + rnd.nextInt(2); p > 0; p--) {
      NetworkPolicyPort port = new NetworkPolicyPort();
      port.setProtocol(pick(null, "TCP", "UDP"));
      switch (rnd.nextInt(4)) {
        case 0 -> {}
        case 1 -> port.setPort(new IntOrString(pick("http", "dns", "web")));
        default -> {
          int n = pick(53, 80, 81, 8080);
          port.setPort(new IntOrString(n));
          if (rnd.nextInt(4) == 0) {
            port.setEndPort(n + rnd.nextInt(100));
          }
        }
      }
      out.add(port);
    }
    return out;
  }

  @SafeVarargs
  final <T> T pick(T... options) {
    return options[rnd.nextInt(options.length)];
  }
}
