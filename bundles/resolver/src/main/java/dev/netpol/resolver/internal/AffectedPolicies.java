package dev.netpol.resolver.internal;

import dev.netpol.api.model.ModelException;
import dev.netpol.resolver.PolicyKey;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedPeer;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Which policies a pod, namespace or Service change can affect, so that one change re-resolves a
 * handful of policies, not all of them. Keeps every policy parsed (once per resourceVersion),
 * grouped so that a change is checked only against the policies that can care: those of the pod's
 * namespace, those with namespace selectors, those with egress rules (Services). Errs towards
 * marking too many: a spurious mark costs one reconcile that writes nothing, a missed one leaves a
 * stale PolicyEndpoint until the next resync.
 *
 * <p>A Service matters to a policy's ClusterIP entries only if one of its backends is allowed by an
 * egress rule of the policy. {@link #resolved} records, after each resolution, the Services the
 * result depends on ({@link ResolutionEngine#dependencies}); a pod that joins or leaves a Service
 * (or changes its addresses or ports while in one) marks the policies that depend on that Service,
 * and those whose egress rules allow the pod itself.
 */
public final class AffectedPolicies {
  /** A policy as last seen: parsed (null if invalid) and the Services its result depends on. */
  private record Known(String resourceVersion, ParsedPolicy parsed, Set<String> services) {}

  private final ClusterIndex index;
  private final Map<PolicyKey, Known> known = new ConcurrentHashMap<>();
  private final Map<String, Set<PolicyKey>> inNamespace = new ConcurrentHashMap<>();
  private final Set<PolicyKey> crossNamespace = ConcurrentHashMap.newKeySet();
  private final Set<PolicyKey> withEgress = ConcurrentHashMap.newKeySet();

  public AffectedPolicies(ClusterIndex index) {
    this.index = index;
  }

  /** A policy was added or changed. */
  public void policyChanged(NetworkPolicy np) {
    PolicyKey key = PolicyKey.of(np);
    String rv = np.getMetadata().getResourceVersion();
    Known old = known.get(key);
    if (old != null && rv != null && rv.equals(old.resourceVersion())) {
      return;
    }
    ParsedPolicy p;
    try {
      p = PolicyParser.parse(np);
    } catch (ModelException e) {
      p = null; // resolution of an invalid policy does not depend on the cluster
    }
    known.put(key, new Known(rv, p, null));
    inNamespace.computeIfAbsent(key.namespace(), k -> ConcurrentHashMap.newKeySet()).add(key);
    boolean cross =
        p != null
            && rules(p)
                .flatMap(r -> r.peers().stream())
                .anyMatch(x -> x.namespaceSelector() != null);
    boolean egress = p != null && !p.egress().isEmpty();
    update(crossNamespace, key, cross);
    update(withEgress, key, egress);
  }

  public void forget(PolicyKey key) {
    known.remove(key);
    Set<PolicyKey> s = inNamespace.get(key.namespace());
    if (s != null) {
      s.remove(key);
    }
    crossNamespace.remove(key);
    withEgress.remove(key);
  }

  /** Records the Services a resolution of the policy (at {@code resourceVersion}) depends on. */
  public void resolved(PolicyKey key, String resourceVersion, Set<String> services) {
    known.computeIfPresent(
        key,
        (k, v) ->
            Objects.equals(v.resourceVersion(), resourceVersion)
                ? new Known(v.resourceVersion(), v.parsed(), Set.copyOf(services))
                : v);
  }

  /** Every policy known, for a full resync. */
  public Set<PolicyKey> all() {
    return known.keySet();
  }

  /** Pods: old and/or new (null on add/delete), already in the index in their new form. */
  public List<PolicyKey> byPod(PodInfo old, PodInfo now) {
    if (old != null && old.equals(now)) {
      return List.of();
    }
    String ns = (now != null ? now : old).namespace();
    List<PodInfo> versions = Stream.of(old, now).filter(Objects::nonNull).toList();
    boolean otherFacts = old == null || now == null || !old.sameFactsBesidesLabels(now);
    Set<PolicyKey> out = new LinkedHashSet<>();

    // selectors: podSelector of the pod's namespace, peers (same namespace or by namespace labels).
    // If only labels changed, a policy is affected only where a selector's verdict changed: the
    // labels themselves are not in its result.
    PodInfo was = old != null && old.eligible() ? old : null;
    PodInfo is = now != null && now.eligible() ? now : null;
    if (was != null || is != null) {
      Map<String, String> nsLabels = index.namespaceLabels(ns);
      boolean anyMatch = otherFacts || was == null || is == null;
      select(inNamespace.getOrDefault(ns, Set.of()), ns, nsLabels, was, is, anyMatch, out);
      select(crossNamespace, ns, nsLabels, was, is, anyMatch, out);
      if (otherFacts) {
        for (PolicyKey key : withEgress) {
          ParsedPolicy p = parsed(key);
          if (p != null && namedPortsAnywhere(p)) {
            out.add(key);
          }
        }
      }
    }

    // Services the pod backs (before or after)
    Set<String> before = serviceKeys(old);
    Set<String> after = serviceKeys(now);
    if (!before.equals(after) || (otherFacts && !(before.isEmpty() && after.isEmpty()))) {
      Set<String> touched = new HashSet<>(before);
      touched.addAll(after);
      for (PolicyKey key : withEgress) {
        Known k = known.get(key);
        if (k == null || k.parsed() == null || out.contains(key)) {
          continue;
        }
        if (k.services() == null
            || k.services().stream().anyMatch(touched::contains)
            || versions.stream().anyMatch(v -> egressAllows(k.parsed(), v))) {
          out.add(key);
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** Namespaces: label changes reach policies whose namespace selectors match old or new labels. */
  public List<PolicyKey> byNamespace(Map<String, String> old, Map<String, String> now) {
    if (Objects.equals(old, now)) {
      return List.of();
    }
    List<PolicyKey> out = new ArrayList<>();
    for (PolicyKey key : crossNamespace) {
      ParsedPolicy p = parsed(key);
      if (p != null
          && rules(p)
              .flatMap(r -> r.peers().stream())
              .anyMatch(
                  x ->
                      x.namespaceSelector() != null
                          && ((old != null && x.namespaceSelector().matches(old))
                              || (now != null && x.namespaceSelector().matches(now))))) {
        out.add(key);
      }
    }
    return out;
  }

  /**
   * Services: policies whose result depends on it, whose egress rules allow one of its backends,
   * and those with wide egress blocks (which carve every ClusterIP out) if its ClusterIPs changed.
   */
  public List<PolicyKey> byService(ServiceInfo old, ServiceInfo now) {
    if (Objects.equals(old, now)) {
      return List.of();
    }
    String svcKey = (now != null ? now : old).key();
    boolean clusterIpsChanged =
        old == null
            || now == null
            || !old.clusterIps().equals(now.clusterIps())
            || old.selector().isEmpty() != now.selector().isEmpty();
    List<PodInfo> backends = new ArrayList<>();
    for (ServiceInfo s : Stream.of(old, now).filter(Objects::nonNull).toList()) {
      if (s.proxiesToPods()) {
        backends.addAll(index.backends(s));
      }
    }
    List<PolicyKey> out = new ArrayList<>();
    for (PolicyKey key : withEgress) {
      Known k = known.get(key);
      if (k == null || k.parsed() == null) {
        continue;
      }
      ParsedPolicy p = k.parsed();
      if (k.services() == null
          || k.services().contains(svcKey)
          || (clusterIpsChanged && wideEgress(p))
          || backends.stream().anyMatch(b -> egressAllows(p, b))) {
        out.add(key);
      }
    }
    return out;
  }

  /**
   * Adds the policies among {@code keys} whose selectors pick the pod's old or new version ({@code
   * anyMatch}), or pick exactly one of them.
   */
  private void select(
      Collection<PolicyKey> keys,
      String ns,
      Map<String, String> nsLabels,
      PodInfo was,
      PodInfo is,
      boolean anyMatch,
      Set<PolicyKey> out) {
    for (PolicyKey key : keys) {
      ParsedPolicy p = parsed(key);
      if (p == null || out.contains(key)) {
        continue;
      }
      boolean before = was != null && selects(p, ns, nsLabels, was.labels());
      boolean after = is != null && selects(p, ns, nsLabels, is.labels());
      if (anyMatch ? before || after : before != after) {
        out.add(key);
      } else if (!anyMatch && before) {
        // selected or a peer both times: affected only if one of its selectors changed its verdict
        if (verdictsDiffer(p, ns, nsLabels, was.labels(), is.labels())) {
          out.add(key);
        }
      }
    }
  }

  /** Whether the policy's podSelector or any of its peers picks the pod (as {@code labels}). */
  private static boolean selects(
      ParsedPolicy p, String ns, Map<String, String> nsLabels, Map<String, String> labels) {
    return (p.namespace().equals(ns) && p.podSelector().matches(labels))
        || rules(p).anyMatch(r -> selects(p, r, ns, nsLabels, labels));
  }

  /** Whether some selector of the policy picks one of the two label sets and not the other. */
  private static boolean verdictsDiffer(
      ParsedPolicy p,
      String ns,
      Map<String, String> nsLabels,
      Map<String, String> a,
      Map<String, String> b) {
    if (p.namespace().equals(ns) && p.podSelector().matches(a) != p.podSelector().matches(b)) {
      return true;
    }
    return rules(p).anyMatch(r -> selects(p, r, ns, nsLabels, a) != selects(p, r, ns, nsLabels, b));
  }

  private ParsedPolicy parsed(PolicyKey key) {
    Known k = known.get(key);
    return k == null ? null : k.parsed();
  }

  private Set<String> serviceKeys(PodInfo pod) {
    if (pod == null || !pod.live()) {
      return Set.of();
    }
    Set<String> out = new HashSet<>();
    for (ServiceInfo s : index.servicesSelecting(pod.namespace(), pod.labels())) {
      out.add(s.key());
    }
    return out;
  }

  /** Whether an egress rule of the policy can allow this pod (selector or address block). */
  private boolean egressAllows(ParsedPolicy p, PodInfo pod) {
    Map<String, String> nsLabels = index.namespaceLabels(pod.namespace());
    for (ParsedRule r : p.egress()) {
      if (r.allPeers() || selects(p, r, pod.namespace(), nsLabels, pod.labels())) {
        return true;
      }
      for (ParsedPeer peer : r.peers()) {
        if (peer.ipBlock() != null) {
          for (InetAddress ip : pod.ips()) {
            if (peer.ipBlock().cidr().contains(ip)) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /** An egress rule with no peers or an ipBlock: its blocks carve out every ClusterIP. */
  private static boolean wideEgress(ParsedPolicy p) {
    return p.egress().stream()
        .anyMatch(r -> r.allPeers() || r.peers().stream().anyMatch(x -> x.ipBlock() != null));
  }

  /** Named egress ports over no peers or an ipBlock resolve on any pod of the cluster. */
  private static boolean namedPortsAnywhere(ParsedPolicy p) {
    return p.egress().stream()
        .anyMatch(
            r ->
                r.hasNamedPorts()
                    && (r.allPeers() || r.peers().stream().anyMatch(x -> x.ipBlock() != null)));
  }

  private static boolean selects(
      ParsedPolicy p,
      ParsedRule r,
      String podNs,
      Map<String, String> nsLabels,
      Map<String, String> podLabels) {
    for (ParsedPeer peer : r.peers()) {
      if (peer.ipBlock() != null) {
        continue;
      }
      boolean nsOk =
          peer.namespaceSelector() == null
              ? p.namespace().equals(podNs)
              : peer.namespaceSelector().matches(nsLabels);
      if (nsOk && peer.podSelector().matches(podLabels)) {
        return true;
      }
    }
    return false;
  }

  private static Stream<ParsedRule> rules(ParsedPolicy p) {
    return Stream.concat(p.ingress().stream(), p.egress().stream());
  }

  private static void update(Set<PolicyKey> set, PolicyKey key, boolean member) {
    if (member) {
      set.add(key);
    } else {
      set.remove(key);
    }
  }
}
