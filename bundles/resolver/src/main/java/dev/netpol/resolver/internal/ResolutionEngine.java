package dev.netpol.resolver.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.resolver.PolicyKey;
import dev.netpol.resolver.ResolvedEntry;
import dev.netpol.resolver.ResolvedPolicy;
import dev.netpol.resolver.SelectedPod;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedPeer;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedPort;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedRule;
import io.fabric8.kubernetes.api.model.Namespace;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves one parsed policy against the indexed cluster. Reads the index, writes nothing; after
 * {@link #resolve()}, {@link #dependencies()} tells which Services the result depends on.
 */
public final class ResolutionEngine {
  /** Label the API server puts on every namespace; added here if a namespace lacks it. */
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";

  private static final List<Peer> ALL_PEERS =
      List.of(Peer.of(Cidr.all(IpFamily.V4)), Peer.of(Cidr.all(IpFamily.V6)));

  private final ClusterIndex index;
  private final ParsedPolicy policy;
  private final Set<String> services = new LinkedHashSet<>();

  public ResolutionEngine(ClusterIndex index, ParsedPolicy policy) {
    this.index = index;
    this.policy = policy;
  }

  /**
   * What a resolution read beyond the policy's selectors: the Services ({@code namespace/name})
   * that were candidates for a ClusterIP entry. A pod that joins or leaves one of them, or changes
   * its addresses or ports while in one, can change the result.
   */
  public Set<String> dependencies() {
    return Set.copyOf(services);
  }

  public ResolvedPolicy resolve() {
    List<PodInfo> selected = new ArrayList<>();
    for (PodInfo pod : index.podsMatching(policy.namespace(), policy.podSelector())) {
      if (pod.eligible()) {
        selected.add(pod);
      }
    }
    List<ResolvedEntry> ingress = new ArrayList<>();
    for (ParsedRule rule : policy.ingress()) {
      ingress.addAll(ingressRule(rule, selected));
    }
    List<ResolvedEntry> egress = new ArrayList<>();
    ServiceEntries serviceEntries = new ServiceEntries(index, services);
    List<InetAddress> clusterIps =
        policy.egress().isEmpty() ? List.of() : index.proxiedClusterIps();
    for (ParsedRule rule : policy.egress()) {
      Map<PodInfo, List<InetAddress>> peerPods = new IdentityHashMap<>();
      List<ResolvedEntry> ruleEntries = egressRule(rule, peerPods);
      egress.addAll(
          serviceEntries.forRule(new RuleAllows(ruleEntries), candidates(rule, peerPods)));
      egress.addAll(ServiceEntries.carveClusterIps(ruleEntries, clusterIps));
    }
    List<SelectedPod> selectedPods =
        selected.stream()
            .map(p -> new SelectedPod(p.namespace(), p.name(), p.node(), p.ips()))
            .toList();
    return new ResolvedPolicy(
        new PolicyKey(policy.namespace(), policy.name()),
        policy.uid(),
        policy.ingressIsolated(),
        policy.egressIsolated(),
        selectedPods,
        merge(ingress),
        merge(egress));
  }

  /**
   * The Services that can get a ClusterIP entry from a rule: for a rule of selector peers only,
   * those with a backend among the peer pods (a Service passes only if a backend is allowed, and
   * only peer pods are); null (every Service) if the rule has an ipBlock or no peers.
   */
  private Collection<ServiceInfo> candidates(
      ParsedRule rule, Map<PodInfo, List<InetAddress>> peerPods) {
    if (rule.allPeers() || rule.peers().stream().anyMatch(p -> p.ipBlock() != null)) {
      return null;
    }
    Map<String, ServiceInfo> out = new LinkedHashMap<>();
    Map<String, List<ServiceInfo>> byLabels = new HashMap<>();
    for (PodInfo pod : peerPods.keySet()) {
      for (ServiceInfo s :
          byLabels.computeIfAbsent(
              pod.namespace() + "|" + pod.labels(),
              k -> index.servicesSelecting(pod.namespace(), pod.labels()))) {
        out.putIfAbsent(s.key(), s);
      }
    }
    return out.values();
  }

  /**
   * Ingress: named ports resolve on each selected pod. Selected pods that resolve the rule's ports
   * to different numbers get separate entries restricted to them ({@code targets}).
   */
  private List<ResolvedEntry> ingressRule(ParsedRule rule, List<PodInfo> selected) {
    List<Peer> peers = peerBlocks(rule, null);
    List<ResolvedEntry> out = new ArrayList<>();
    if (!rule.hasNamedPorts()) {
      List<PortRange> ports = rule.allPorts() ? ResolvedEntry.ALL_PORTS : numeric(rule);
      peers.forEach(p -> out.add(new ResolvedEntry(p, ports, ResolvedEntry.ALL_TARGETS)));
      return out;
    }
    Map<List<PortRange>, List<String>> groups = new LinkedHashMap<>();
    for (PodInfo pod : selected) {
      List<PortRange> ports = new ArrayList<>(numeric(rule));
      ports.addAll(named(rule, pod));
      if (!ports.isEmpty()) {
        groups
            .computeIfAbsent(ports.stream().distinct().sorted().toList(), k -> new ArrayList<>())
            .add(pod.name());
      }
    }
    for (var g : groups.entrySet()) {
      boolean everyone = groups.size() == 1 && g.getValue().size() == selected.size();
      List<String> targets = everyone ? ResolvedEntry.ALL_TARGETS : g.getValue();
      peers.forEach(p -> out.add(new ResolvedEntry(p, g.getKey(), targets)));
    }
    return out;
  }

  /**
   * Egress: numeric ports apply to every peer block; named ports resolve on each destination pod (a
   * pod lacking the name is not allowed by that port). Fills {@code peerPods} with the rule's
   * selector-peer pods.
   */
  private List<ResolvedEntry> egressRule(
      ParsedRule rule, Map<PodInfo, List<InetAddress>> peerPods) {
    List<ResolvedEntry> out = new ArrayList<>();
    List<PortRange> numeric = numeric(rule);
    List<Peer> blocks = peerBlocks(rule, peerPods);
    if (rule.allPorts() || !numeric.isEmpty()) {
      List<PortRange> ports = rule.allPorts() ? ResolvedEntry.ALL_PORTS : numeric;
      blocks.forEach(p -> out.add(new ResolvedEntry(p, ports, ResolvedEntry.ALL_TARGETS)));
    }
    if (rule.hasNamedPorts()) {
      for (var dest : namedDestinations(rule, peerPods).entrySet()) {
        List<PortRange> ports = named(rule, dest.getKey());
        if (ports.isEmpty()) {
          continue;
        }
        for (InetAddress ip : dest.getValue()) {
          out.add(new ResolvedEntry(Peer.host(ip), ports, ResolvedEntry.ALL_TARGETS));
        }
      }
    }
    return out;
  }

  /** The address blocks a rule's peers stand for; selector peers' pods go to {@code peerPods}. */
  private List<Peer> peerBlocks(ParsedRule rule, Map<PodInfo, List<InetAddress>> peerPods) {
    if (rule.allPeers()) {
      return ALL_PEERS;
    }
    List<Peer> out = new ArrayList<>();
    for (ParsedPeer peer : rule.peers()) {
      if (peer.ipBlock() != null) {
        out.add(peer.ipBlock());
      } else {
        for (PodInfo pod : peerPods(peer)) {
          pod.ips().forEach(ip -> out.add(Peer.host(ip)));
          if (peerPods != null) {
            peerPods.computeIfAbsent(pod, k -> new ArrayList<>()).addAll(pod.ips());
          }
        }
      }
    }
    return out;
  }

  /** Pods (with the IPs that count) a named port of this rule is resolved on. */
  private Map<PodInfo, List<InetAddress>> namedDestinations(
      ParsedRule rule, Map<PodInfo, List<InetAddress>> peerPods) {
    Map<PodInfo, List<InetAddress>> out = new IdentityHashMap<>(); // records hash every field
    if (rule.allPeers()) {
      for (PodInfo pod : index.allPods()) {
        if (pod.eligible()) {
          out.put(pod, pod.ips());
        }
      }
      return out;
    }
    for (ParsedPeer peer : rule.peers()) {
      if (peer.ipBlock() == null) {
        continue;
      }
      for (PodInfo pod : index.allPods()) {
        if (!pod.eligible()) {
          continue;
        }
        for (InetAddress ip : pod.ips()) {
          if (peer.ipBlock().contains(ip)) {
            out.computeIfAbsent(pod, k -> new ArrayList<>()).add(ip);
          }
        }
      }
    }
    peerPods.forEach((pod, ips) -> out.computeIfAbsent(pod, k -> new ArrayList<>()).addAll(ips));
    out.replaceAll((pod, ips) -> ips.stream().distinct().toList());
    return out;
  }

  /** Eligible pods a selector peer selects. No namespaceSelector: the policy's namespace. */
  private List<PodInfo> peerPods(ParsedPeer peer) {
    List<String> namespaces = new ArrayList<>();
    if (peer.namespaceSelector() == null) {
      namespaces.add(policy.namespace());
    } else {
      for (var ns : index.namespaces().entrySet()) {
        if (peer.namespaceSelector().matches(ns.getValue())) {
          namespaces.add(ns.getKey());
        }
      }
    }
    List<PodInfo> out = new ArrayList<>();
    for (String ns : namespaces) {
      for (PodInfo pod : index.podsMatching(ns, peer.podSelector())) {
        if (pod.eligible()) {
          out.add(pod);
        }
      }
    }
    return out;
  }

  public static Map<String, String> namespaceLabels(Namespace ns) {
    Map<String, String> labels = new HashMap<>();
    if (ns.getMetadata().getLabels() != null) {
      labels.putAll(ns.getMetadata().getLabels());
    }
    labels.putIfAbsent(NAME_LABEL, ns.getMetadata().getName());
    return Map.copyOf(labels);
  }

  private static List<PortRange> numeric(ParsedRule rule) {
    List<PortRange> out = new ArrayList<>();
    for (ParsedPort p : rule.ports()) {
      if (p.name() == null) {
        out.add(new PortRange(p.protocol(), p.first(), p.last()));
      }
    }
    return out;
  }

  private static List<PortRange> named(ParsedRule rule, PodInfo pod) {
    List<PortRange> out = new ArrayList<>();
    for (ParsedPort p : rule.ports()) {
      if (p.name() != null) {
        for (int n : pod.namedPort(p.name(), p.protocol())) {
          if (n >= 1 && n <= PortRange.MAX_PORT) {
            out.add(PortRange.single(p.protocol(), n));
          }
        }
      }
    }
    return out.stream().distinct().sorted().toList();
  }

  /** Joins entries with the same peer block and targets; all ports absorbs any port list. */
  static List<ResolvedEntry> merge(Collection<ResolvedEntry> entries) {
    record Key(Peer peer, List<String> targets) {}
    Map<Key, List<PortRange>> ports = new LinkedHashMap<>();
    Map<Key, Boolean> all = new HashMap<>();
    for (ResolvedEntry e : entries) {
      Key k = new Key(e.peer(), e.targets());
      if (e.allPorts()) {
        all.put(k, true);
      }
      ports.computeIfAbsent(k, x -> new ArrayList<>()).addAll(e.ports());
    }
    List<ResolvedEntry> out = new ArrayList<>();
    for (var e : ports.entrySet()) {
      List<PortRange> p =
          all.getOrDefault(e.getKey(), false) ? ResolvedEntry.ALL_PORTS : e.getValue();
      out.add(new ResolvedEntry(e.getKey().peer(), p, e.getKey().targets()));
    }
    return out;
  }

  static Protocol protocolOrNull(String s) {
    try {
      return Protocol.parse(s, "protocol");
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
