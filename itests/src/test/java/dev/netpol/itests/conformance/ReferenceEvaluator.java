package dev.netpol.itests.conformance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain NetworkPolicy semantics (networking.k8s.io/v1) over the model's nine pods, written from
 * the API documentation, used only by the unit tests to cross-check every expectation of the
 * catalogue against its own policies. A connection is allowed when the source's egress and the
 * destination's ingress both allow it; a pod is isolated in a direction when a policy of that type
 * selects it; named ports resolve against the destination pod (serve-&lt;port&gt;-&lt;proto&gt; on
 * every pod).
 */
final class ReferenceEvaluator {
  private final CaseEnv env;
  private final Map<String, Map<String, String>> nsLabels = new HashMap<>();
  private final Map<PodRef, Map<String, String>> podLabels = new HashMap<>();

  /** Active policies by "ns/name", in creation order. */
  private final Map<String, Policy> policies = new LinkedHashMap<>();

  private final Map<String, String> policyNs = new HashMap<>();

  ReferenceEvaluator(CaseEnv env) {
    this.env = env;
    for (String ns : PodRef.NAMESPACES) {
      nsLabels.put(
          ns, new HashMap<>(Map.of(ConformanceNames.NAMESPACE_NAME_LABEL, env.namespace(ns))));
    }
    for (PodRef p : PodRef.ALL) {
      podLabels.put(p, new HashMap<>(Map.of("pod", p.pod())));
    }
  }

  /** Applies a non-Validate step. */
  void apply(Step s) {
    if (s instanceof Step.CreatePolicy c) {
      String key = c.namespace() + "/" + c.policy().name();
      if (policies.containsKey(key)) {
        throw new IllegalStateException("create of existing policy " + key);
      }
      policies.put(key, c.policy());
      policyNs.put(key, c.namespace());
    } else if (s instanceof Step.UpdatePolicy u) {
      String key = u.namespace() + "/" + u.policy().name();
      if (!policies.containsKey(key)) {
        throw new IllegalStateException("update of missing policy " + key);
      }
      policies.put(key, u.policy());
    } else if (s instanceof Step.DeleteAllPolicies) {
      policies.clear();
    } else if (s instanceof Step.LabelNamespace l) {
      nsLabels.get(l.namespace()).put(l.key(), l.value());
    } else if (s instanceof Step.LabelPod l) {
      podLabels.get(l.pod()).putAll(l.labels());
    }
  }

  /** The evaluated matrix for one port and protocol; loopback cells left null. */
  Boolean[][] matrix(int port, Protocol proto) {
    Boolean[][] m = new Boolean[9][9];
    for (PodRef[] p : Reachability.judgedPairs()) {
      m[p[0].index()][p[1].index()] = allowed(p[0], p[1], port, proto);
    }
    return m;
  }

  boolean allowed(PodRef from, PodRef to, int port, Protocol proto) {
    return directionAllows(from, to, to, port, proto, "Egress")
        && directionAllows(to, from, to, port, proto, "Ingress");
  }

  /**
   * Whether the policies selecting {@code subject} in this direction allow traffic with {@code
   * peer}.
   */
  private boolean directionAllows(
      PodRef subject, PodRef peer, PodRef destination, int port, Protocol proto, String type) {
    List<PolicyRule> rules = new ArrayList<>();
    boolean isolated = false;
    for (Map.Entry<String, Policy> e : policies.entrySet()) {
      Policy p = e.getValue();
      String ns = policyNs.get(e.getKey());
      if (!ns.equals(subject.namespace())
          || !matches(p.podSelector(), podLabels.get(subject))
          || !p.policyTypes().contains(type)) {
        continue;
      }
      isolated = true;
      List<PolicyRule> r = type.equals("Ingress") ? p.ingressRules() : p.egressRules();
      if (r != null) {
        r.forEach(rule -> rules.add(withNamespace(rule, ns)));
      }
    }
    if (!isolated) {
      return true;
    }
    return rules.stream()
        .anyMatch(r -> peerMatches(r, peer) && portMatches(r, destination, port, proto));
  }

  /**
   * Remembers the policy's namespace in the rule (peers without a namespaceSelector mean that
   * namespace).
   */
  private final Map<PolicyRule, String> ruleNs = new java.util.IdentityHashMap<>();

  private PolicyRule withNamespace(PolicyRule r, String ns) {
    ruleNs.put(r, ns);
    return r;
  }

  private boolean peerMatches(PolicyRule r, PodRef peer) {
    if (r.peers().isEmpty()) {
      return true;
    }
    for (PolicyPeer p : r.peers()) {
      if (p.cidr() != null) {
        String ip = env.podIp(peer.toString());
        if (inCidr(ip, p.cidr()) && p.except().stream().noneMatch(x -> inCidr(ip, x))) {
          return true;
        }
        continue;
      }
      boolean nsOk =
          p.namespaceSelector() == null
              ? ruleNs.get(r).equals(peer.namespace())
              : matches(p.namespaceSelector(), nsLabels.get(peer.namespace()));
      boolean podOk = p.podSelector() == null || matches(p.podSelector(), podLabels.get(peer));
      if (nsOk && podOk) {
        return true;
      }
    }
    return false;
  }

  private static boolean portMatches(PolicyRule r, PodRef destination, int port, Protocol proto) {
    if (r.ports().isEmpty()) {
      return true;
    }
    for (PolicyPort p : r.ports()) {
      Protocol want = p.protocol() == null ? Protocol.TCP : p.protocol();
      if (want != proto) {
        continue;
      }
      if (p.port() == null || p.port().equals(port)) {
        return true;
      }
      // every model pod serves every port and protocol as serve-<port>-<proto>
      if (p.port() instanceof String name && name.equals("serve-" + port + "-" + proto.lower())) {
        return true;
      }
    }
    return false;
  }

  static boolean matches(Selector s, Map<String, String> labels) {
    for (Map.Entry<String, String> e : s.matchLabels().entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (Selector.Expression x : s.matchExpressions()) {
      String v = labels.get(x.key());
      boolean ok =
          switch (x.operator()) {
            case "In" -> v != null && x.values().contains(v);
            case "NotIn" -> v == null || !x.values().contains(v);
            case "Exists" -> v != null;
            case "DoesNotExist" -> v == null;
            default ->
                throw new IllegalArgumentException("selector operator '" + x.operator() + "'");
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static boolean inCidr(String ip, String cidr) {
    String[] c = cidr.split("/");
    byte[] a = Addresses.parse(ip);
    byte[] n = Addresses.parse(c[0]);
    if (a.length != n.length) {
      return false;
    }
    int bits = Integer.parseInt(c[1]);
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((a[i / 8] & mask) != (n[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }
}
