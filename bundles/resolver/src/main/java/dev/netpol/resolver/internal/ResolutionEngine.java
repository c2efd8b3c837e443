package dev.netpol.resolver.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.resolver.ClusterState;
import dev.netpol.resolver.PolicyKey;
import dev.netpol.resolver.ResolvedEntry;
import dev.netpol.resolver.ResolvedPolicy;
import dev.netpol.resolver.SelectedPod;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedPeer;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedPort;
import dev.netpol.resolver.internal.ParsedPolicy.ParsedRule;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Resolves one parsed policy against a cluster state. Pure: reads the state, writes nothing. */
public final class ResolutionEngine {
  /** Label the API server puts on every namespace; added here if a namespace lacks it. */
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";

  private static final List<Peer> ALL_PEERS =
      List.of(Peer.of(Cidr.all(IpFamily.V4)), Peer.of(Cidr.all(IpFamily.V6)));

  private final ClusterState state;
  private final ParsedPolicy policy;
  private final PodCache pods = new PodCache();

  public ResolutionEngine(ClusterState state, ParsedPolicy policy) {
    this.state = state;
    this.policy = policy;
  }

  public ResolvedPolicy resolve() {
    List<Pod> selected = new ArrayList<>();
    for (Pod pod : state.pods(policy.namespace())) {
      if (pods.eligible(pod) && policy.podSelector().matches(PodFacts.labels(pod))) {
        selected.add(pod);
      }
    }
    List<ResolvedEntry> ingress = new ArrayList<>();
    for (ParsedRule rule : policy.ingress()) {
      ingress.addAll(ingressRule(rule, selected));
    }
    List<ResolvedEntry> egress = new ArrayList<>();
    ServiceEntries services = new ServiceEntries(state, pods);
    List<InetAddress> clusterIps =
        policy.egress().isEmpty() ? List.of() : services.selectedClusterIps();
    for (ParsedRule rule : policy.egress()) {
      List<ResolvedEntry> ruleEntries = egressRule(rule);
      egress.addAll(services.forRule(new RuleAllows(ruleEntries)));
      egress.addAll(ServiceEntries.carveClusterIps(ruleEntries, clusterIps));
    }
    List<SelectedPod> selectedPods =
        selected.stream()
            .map(
                p ->
                    new SelectedPod(
                        p.getMetadata().getNamespace(),
                        p.getMetadata().getName(),
                        PodFacts.nodeName(p),
                        pods.ips(p)))
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
   * Ingress: named ports resolve on each selected pod. Selected pods that resolve the rule's ports
   * to different numbers get separate entries restricted to them ({@code targets}).
   */
  private List<ResolvedEntry> ingressRule(ParsedRule rule, List<Pod> selected) {
    List<Peer> peers = peerBlocks(rule);
    List<ResolvedEntry> out = new ArrayList<>();
    if (!rule.hasNamedPorts()) {
      List<PortRange> ports = rule.allPorts() ? ResolvedEntry.ALL_PORTS : numeric(rule);
      peers.forEach(p -> out.add(new ResolvedEntry(p, ports, ResolvedEntry.ALL_TARGETS)));
      return out;
    }
    Map<List<PortRange>, List<String>> groups = new LinkedHashMap<>();
    for (Pod pod : selected) {
      List<PortRange> ports = new ArrayList<>(numeric(rule));
      ports.addAll(named(rule, pod));
      if (!ports.isEmpty()) {
        groups
            .computeIfAbsent(ports.stream().distinct().sorted().toList(), k -> new ArrayList<>())
            .add(pod.getMetadata().getName());
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
   * pod lacking the name is not allowed by that port).
   */
  private List<ResolvedEntry> egressRule(ParsedRule rule) {
    List<ResolvedEntry> out = new ArrayList<>();
    List<PortRange> numeric = numeric(rule);
    if (rule.allPorts() || !numeric.isEmpty()) {
      List<PortRange> ports = rule.allPorts() ? ResolvedEntry.ALL_PORTS : numeric;
      peerBlocks(rule)
          .forEach(p -> out.add(new ResolvedEntry(p, ports, ResolvedEntry.ALL_TARGETS)));
    }
    if (rule.hasNamedPorts()) {
      for (var dest : namedDestinations(rule).entrySet()) {
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

  /** The address blocks a rule's peers stand for. */
  private List<Peer> peerBlocks(ParsedRule rule) {
    if (rule.allPeers()) {
      return ALL_PEERS;
    }
    List<Peer> out = new ArrayList<>();
    for (ParsedPeer peer : rule.peers()) {
      if (peer.ipBlock() != null) {
        out.add(peer.ipBlock());
      } else {
        for (Pod pod : peerPods(peer)) {
          pods.ips(pod).forEach(ip -> out.add(Peer.host(ip)));
        }
      }
    }
    return out;
  }

  /** Pods (with the IPs that count) a named port of this rule is resolved on. */
  private Map<Pod, List<InetAddress>> namedDestinations(ParsedRule rule) {
    Map<Pod, List<InetAddress>> out =
        new java.util.IdentityHashMap<>(); // Pod.hashCode walks the whole object
    if (rule.allPeers()) {
      for (Pod pod : state.allPods()) {
        if (pods.eligible(pod)) {
          out.computeIfAbsent(pod, k -> new ArrayList<>()).addAll(pods.ips(pod));
        }
      }
      return out;
    }
    for (ParsedPeer peer : rule.peers()) {
      if (peer.ipBlock() != null) {
        for (Pod pod : state.allPods()) {
          if (!pods.eligible(pod)) {
            continue;
          }
          for (InetAddress ip : pods.ips(pod)) {
            if (peer.ipBlock().contains(ip)) {
              out.computeIfAbsent(pod, k -> new ArrayList<>()).add(ip);
            }
          }
        }
      } else {
        for (Pod pod : peerPods(peer)) {
          out.computeIfAbsent(pod, k -> new ArrayList<>()).addAll(pods.ips(pod));
        }
      }
    }
    out.replaceAll((pod, ips) -> ips.stream().distinct().toList());
    return out;
  }

  /** Eligible pods a selector peer selects. No namespaceSelector: the policy's namespace. */
  private List<Pod> peerPods(ParsedPeer peer) {
    List<String> namespaces = new ArrayList<>();
    if (peer.namespaceSelector() == null) {
      namespaces.add(policy.namespace());
    } else {
      for (Namespace ns : state.namespaces()) {
        if (peer.namespaceSelector().matches(namespaceLabels(ns))) {
          namespaces.add(ns.getMetadata().getName());
        }
      }
    }
    List<Pod> out = new ArrayList<>();
    for (String ns : namespaces) {
      for (Pod pod : state.pods(ns)) {
        if (pods.eligible(pod) && peer.podSelector().matches(PodFacts.labels(pod))) {
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
    return labels;
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

  private static List<PortRange> named(ParsedRule rule, Pod pod) {
    List<PortRange> out = new ArrayList<>();
    for (ParsedPort p : rule.ports()) {
      if (p.name() != null) {
        for (int n : PodFacts.namedPort(pod, p.name(), p.protocol())) {
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
