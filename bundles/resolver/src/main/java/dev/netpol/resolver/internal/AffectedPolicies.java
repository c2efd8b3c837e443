package dev.netpol.resolver.internal;

import dev.netpol.api.model.ModelException;
import dev.netpol.resolver.ClusterState;
import dev.netpol.resolver.PolicyKey;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedPeer;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedRule;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Which policies a pod, namespace or service change can affect, so that one change does not
 * re-resolve every policy. Errs towards marking too many: a spurious mark costs one no-op
 * reconcile, a missed one leaves a stale PolicyEndpoint until the next resync.
 */
public final class AffectedPolicies {
  private record Cached(String resourceVersion, ParsedPolicy parsed) {}

  private final ClusterState state;
  private final Map<PolicyKey, Cached> parsed = new ConcurrentHashMap<>();

  public AffectedPolicies(ClusterState state) {
    this.state = state;
  }

  /** Pods: old and/or new (null on add/delete). */
  public List<PolicyKey> byPod(Collection<NetworkPolicy> policies, Pod old, Pod now) {
    if (old != null && now != null && fingerprint(old).equals(fingerprint(now))) {
      return List.of();
    }
    List<Pod> versions = Stream.of(old, now).filter(Objects::nonNull).toList();
    String ns = versions.get(0).getMetadata().getNamespace();
    Map<String, String> nsLabels =
        state
            .namespace(ns)
            .map(ResolutionEngine::namespaceLabels)
            .orElse(Map.of(ResolutionEngine.NAME_LABEL, ns));
    boolean backsAService = false;
    for (Service svc : state.services(ns)) {
      Map<String, String> sel = svc.getSpec() == null ? null : svc.getSpec().getSelector();
      if (sel != null
          && !sel.isEmpty()
          && versions.stream()
              .anyMatch(
                  p ->
                      sel.entrySet().stream()
                          .allMatch(
                              e -> e.getValue().equals(PodFacts.labels(p).get(e.getKey()))))) {
        backsAService = true;
        break;
      }
    }
    List<PolicyKey> out = new ArrayList<>();
    for (NetworkPolicy np : policies) {
      ParsedPolicy p = parse(np);
      if (p == null) {
        continue;
      }
      boolean hit = false;
      for (Pod pod : versions) {
        Map<String, String> labels = PodFacts.labels(pod);
        hit |= p.namespace().equals(ns) && p.podSelector().matches(labels);
        hit |=
            Stream.concat(p.ingress().stream(), p.egress().stream())
                .anyMatch(r -> peerMatches(p, r, ns, nsLabels, labels));
      }
      // named egress ports resolve on any pod inside ipBlocks or anywhere (to: missing)
      hit |=
          p.egress().stream()
              .anyMatch(
                  r ->
                      r.hasNamedPorts()
                          && (r.allPeers()
                              || r.peers().stream().anyMatch(x -> x.ipBlock() != null)));
      hit |= backsAService && !p.egress().isEmpty();
      if (hit) {
        out.add(new PolicyKey(p.namespace(), p.name()));
      }
    }
    return out;
  }

  /** Namespaces: label changes reach policies with namespace selectors and those inside it. */
  public List<PolicyKey> byNamespace(
      Collection<NetworkPolicy> policies, Namespace old, Namespace now) {
    if (old != null
        && now != null
        && Objects.equals(old.getMetadata().getLabels(), now.getMetadata().getLabels())) {
      return List.of();
    }
    String name = (now != null ? now : old).getMetadata().getName();
    List<PolicyKey> out = new ArrayList<>();
    for (NetworkPolicy np : policies) {
      ParsedPolicy p = parse(np);
      if (p != null
          && (p.namespace().equals(name)
              || Stream.concat(p.ingress().stream(), p.egress().stream())
                  .flatMap(r -> r.peers().stream())
                  .anyMatch(x -> x.namespaceSelector() != null))) {
        out.add(new PolicyKey(p.namespace(), p.name()));
      }
    }
    return out;
  }

  /** Services: only egress rules turn into ClusterIP entries. */
  public List<PolicyKey> byService(Collection<NetworkPolicy> policies, Service old, Service now) {
    if (old != null && now != null && Objects.equals(old.getSpec(), now.getSpec())) {
      return List.of();
    }
    List<PolicyKey> out = new ArrayList<>();
    for (NetworkPolicy np : policies) {
      ParsedPolicy p = parse(np);
      if (p != null && !p.egress().isEmpty()) {
        out.add(new PolicyKey(p.namespace(), p.name()));
      }
    }
    return out;
  }

  public void forget(PolicyKey key) {
    parsed.remove(key);
  }

  private boolean peerMatches(
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

  /** Parsed policy, cached per resourceVersion; null if the policy is invalid. */
  private ParsedPolicy parse(NetworkPolicy np) {
    PolicyKey key = PolicyKey.of(np);
    String rv = np.getMetadata().getResourceVersion();
    Cached c = parsed.get(key);
    if (c != null && rv != null && rv.equals(c.resourceVersion())) {
      return c.parsed();
    }
    try {
      ParsedPolicy p = PolicyParser.parse(np);
      parsed.put(key, new Cached(rv, p));
      return p;
    } catch (ModelException e) {
      return null; // resolution of an invalid policy does not depend on pods
    }
  }

  /** The parts of a pod resolution reads. */
  static List<Object> fingerprint(Pod p) {
    return List.of(
        PodFacts.labels(p),
        PodFacts.ips(p),
        String.valueOf(PodFacts.eligible(p)),
        String.valueOf(PodFacts.terminated(p)),
        String.valueOf(PodFacts.nodeName(p)),
        String.valueOf(p.getSpec() == null ? null : p.getSpec().getContainers()),
        String.valueOf(p.getSpec() == null ? null : p.getSpec().getInitContainers()));
  }
}
