package dev.netpol.resolver.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.resolver.ClusterState;
import dev.netpol.resolver.ResolvedEntry;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Egress to Services. The egress hook sees {@code ClusterIP:servicePort} before the service proxy
 * rewrites it, so a rule that allows a Service's backends must also allow its ClusterIP. A
 * ClusterIP/servicePort is allowed by a rule only if every backend that serves that port (on an
 * address of the ClusterIP's family) is allowed by the same rule on the port it serves (targetPort,
 * resolved per backend when named). One backend outside the rule keeps the whole Service out:
 * conservative, never wider than the policy.
 */
final class ServiceEntries {
  private record Proxied(Service service, List<InetAddress> clusterIps, List<Pod> backends) {}

  private final ClusterState state;
  private final PodCache pods;
  private List<Proxied> proxied;

  ServiceEntries(ClusterState state, PodCache pods) {
    this.state = state;
    this.pods = pods;
  }

  /** Services with a ClusterIP, a selector and at least one backend; computed once. */
  private List<Proxied> proxied() {
    if (proxied != null) {
      return proxied;
    }
    proxied = new ArrayList<>();
    Map<String, Map<String, List<Pod>>> byLabel = new HashMap<>();
    for (Service svc : state.allServices()) {
      List<InetAddress> clusterIps = clusterIps(svc);
      Map<String, String> selector = svc.getSpec() == null ? null : svc.getSpec().getSelector();
      if (clusterIps.isEmpty()
          || selector == null
          || selector.isEmpty()
          || svc.getSpec().getPorts() == null) {
        continue;
      }
      String ns = svc.getMetadata().getNamespace();
      Map<String, List<Pod>> index = byLabel.computeIfAbsent(ns, this::labelIndex);
      var first = selector.entrySet().iterator().next();
      List<Pod> backends = new ArrayList<>();
      for (Pod pod : index.getOrDefault(first.getKey() + "=" + first.getValue(), List.of())) {
        if (matches(selector, PodFacts.labels(pod))) {
          backends.add(pod);
        }
      }
      if (!backends.isEmpty()) {
        proxied.add(new Proxied(svc, clusterIps, backends));
      }
    }
    return proxied;
  }

  /** Live pods of a namespace by each of their "key=value" labels. */
  private Map<String, List<Pod>> labelIndex(String ns) {
    Map<String, List<Pod>> index = new HashMap<>();
    for (Pod pod : state.pods(ns)) {
      if (pods.live(pod)) {
        for (var l : PodFacts.labels(pod).entrySet()) {
          index.computeIfAbsent(l.getKey() + "=" + l.getValue(), k -> new ArrayList<>()).add(pod);
        }
      }
    }
    return index;
  }

  List<ResolvedEntry> forRule(RuleAllows rule) {
    List<ResolvedEntry> out = new ArrayList<>();
    for (Proxied p : proxied()) {
      Service svc = p.service();
      List<InetAddress> clusterIps = p.clusterIps();
      List<Pod> backends = p.backends();
      for (ServicePort sp : svc.getSpec().getPorts()) {
        Protocol protocol = ResolutionEngine.protocolOrNull(sp.getProtocol());
        if (protocol == null
            || sp.getPort() == null
            || sp.getPort() < 1
            || sp.getPort() > PortRange.MAX_PORT) {
          continue;
        }
        for (InetAddress ip : clusterIps) {
          if (allBackendsAllowed(rule, backends, sp, protocol, IpFamily.of(ip))) {
            out.add(
                new ResolvedEntry(
                    Peer.host(ip),
                    List.of(PortRange.single(protocol, sp.getPort())),
                    ResolvedEntry.ALL_TARGETS));
          }
        }
      }
    }
    return out;
  }

  /**
   * The ClusterIPs of Services with a selector: their traffic is allowed only through the entries
   * {@link #forRule} computes, never because a wider block happens to contain them.
   */
  List<InetAddress> selectedClusterIps() {
    List<InetAddress> out = new ArrayList<>();
    for (Service svc : state.allServices()) {
      Map<String, String> selector = svc.getSpec() == null ? null : svc.getSpec().getSelector();
      if (selector != null && !selector.isEmpty()) {
        out.addAll(clusterIps(svc));
      }
    }
    return out.stream().distinct().toList();
  }

  /**
   * Adds every such ClusterIP inside a block (not a host route) to the block's except list. The
   * egress hook sees ClusterIP:servicePort before DNAT; without this, a rule for {@code 0.0.0.0/0
   * port 80} would pass {@code ClusterIP:80} to a backend on a port, or a backend, the rule does
   * not allow (upstream e2e "except clause" case with a wide /4).
   */
  static List<ResolvedEntry> carveClusterIps(
      List<ResolvedEntry> entries, List<InetAddress> clusterIps) {
    if (clusterIps.isEmpty()) {
      return entries;
    }
    List<ResolvedEntry> out = new ArrayList<>();
    for (ResolvedEntry e : entries) {
      Cidr cidr = e.peer().cidr();
      if (cidr.isHost()) {
        out.add(e);
        continue;
      }
      List<Cidr> except = new ArrayList<>(e.peer().except());
      for (InetAddress ip : clusterIps) {
        if (e.peer().contains(ip)) {
          except.add(Cidr.host(ip));
        }
      }
      out.add(
          except.size() == e.peer().except().size()
              ? e
              : new ResolvedEntry(
                  new Peer(cidr, except.stream().sorted().toList()), e.ports(), e.targets()));
    }
    return out;
  }

  /** A ClusterIP of one family forwards to backend addresses of that family only. */
  private boolean allBackendsAllowed(
      RuleAllows rule, List<Pod> backends, ServicePort sp, Protocol protocol, IpFamily family) {
    boolean anyServes = false;
    for (Pod b : backends) {
      Set<Integer> targets = targetPorts(sp, b, protocol);
      List<InetAddress> ips = pods.ips(b).stream().filter(a -> IpFamily.of(a) == family).toList();
      if (targets.isEmpty() || ips.isEmpty()) {
        continue; // the backend does not serve this port, so it gets none of its traffic
      }
      anyServes = true;
      for (int t : targets) {
        for (InetAddress ip : ips) {
          if (!rule.allows(ip, protocol, t)) {
            return false;
          }
        }
      }
    }
    return anyServes;
  }

  private static Set<Integer> targetPorts(ServicePort sp, Pod backend, Protocol protocol) {
    IntOrString t = sp.getTargetPort();
    if (t == null || (t.getIntVal() == null && t.getStrVal() == null)) {
      return Set.of(sp.getPort());
    }
    if (t.getIntVal() != null) {
      return t.getIntVal() == 0 ? Set.of(sp.getPort()) : Set.of(t.getIntVal());
    }
    return PodFacts.namedPort(backend, t.getStrVal(), protocol);
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    for (var e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** ClusterIPs of a proxied Service; headless (None) and ExternalName Services have none. */
  static List<InetAddress> clusterIps(Service svc) {
    if (svc.getSpec() == null || "ExternalName".equals(svc.getSpec().getType())) {
      return List.of();
    }
    Set<String> raw = new LinkedHashSet<>();
    if (svc.getSpec().getClusterIPs() != null) {
      raw.addAll(svc.getSpec().getClusterIPs());
    }
    if (svc.getSpec().getClusterIP() != null) {
      raw.add(svc.getSpec().getClusterIP());
    }
    List<InetAddress> out = new ArrayList<>();
    for (String s : raw) {
      if (s == null || s.isBlank() || "None".equals(s)) {
        continue;
      }
      try {
        out.add(Cidr.parseAddress(s.trim(), "spec.clusterIPs", s));
      } catch (IllegalArgumentException e) {
        // not an address: nothing to allow
      }
    }
    return out;
  }
}
