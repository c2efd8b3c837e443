package dev.netpol.resolver.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.resolver.ResolvedEntry;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
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
  private final ClusterIndex index;
  private final Set<String> dependencies;
  private final Map<String, List<PodInfo>> backends = new HashMap<>();

  /**
   * Records the keys of the Services it checks, and of those a wide rule reaches, in {@code
   * dependencies}.
   */
  ServiceEntries(ClusterIndex index, Set<String> dependencies) {
    this.index = index;
    this.dependencies = dependencies;
  }

  /**
   * ClusterIP entries for one rule. {@code candidates}: the Services that can pass it, or null for
   * every Service.
   */
  List<ResolvedEntry> forRule(RuleAllows rule, Collection<ServiceInfo> candidates) {
    boolean every = candidates == null;
    List<ResolvedEntry> out = new ArrayList<>();
    for (ServiceInfo svc : every ? index.allServices() : candidates) {
      if (!svc.proxiesToPods()) {
        continue;
      }
      if (!every) {
        dependencies.add(svc.key());
      }
      List<PodInfo> serving = backends.computeIfAbsent(svc.key(), k -> index.backends(svc));
      if (serving.isEmpty()) {
        continue;
      }
      for (ServicePort sp : svc.ports()) {
        Protocol protocol = ResolutionEngine.protocolOrNull(sp.getProtocol());
        if (protocol == null
            || sp.getPort() == null
            || sp.getPort() < 1
            || sp.getPort() > PortRange.MAX_PORT) {
          continue;
        }
        for (InetAddress ip : svc.clusterIps()) {
          Verdict v = check(rule, serving, sp, protocol, IpFamily.of(ip));
          if (v != Verdict.NONE) {
            dependencies.add(svc.key());
          }
          if (v == Verdict.ALL) {
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

  /** Whether all, some or none of the backends that serve a port are allowed by the rule. */
  private enum Verdict {
    ALL,
    SOME,
    NONE
  }

  /** A ClusterIP of one family forwards to backend addresses of that family only. */
  private static Verdict check(
      RuleAllows rule, List<PodInfo> backends, ServicePort sp, Protocol protocol, IpFamily family) {
    boolean anyServes = false;
    boolean anyAllowed = false;
    boolean allAllowed = true;
    for (PodInfo b : backends) {
      Set<Integer> targets = targetPorts(sp, b, protocol);
      if (targets.isEmpty()) {
        continue; // the backend does not serve this port, so it gets none of its traffic
      }
      for (InetAddress ip : b.ips()) {
        if (IpFamily.of(ip) != family) {
          continue;
        }
        anyServes = true;
        for (int t : targets) {
          if (rule.allows(ip, protocol, t)) {
            anyAllowed = true;
          } else {
            allAllowed = false;
          }
        }
      }
    }
    if (anyServes && allAllowed) {
      return Verdict.ALL;
    }
    return anyAllowed ? Verdict.SOME : Verdict.NONE;
  }

  private static Set<Integer> targetPorts(ServicePort sp, PodInfo backend, Protocol protocol) {
    IntOrString t = sp.getTargetPort();
    if (t == null || (t.getIntVal() == null && t.getStrVal() == null)) {
      return Set.of(sp.getPort());
    }
    if (t.getIntVal() != null) {
      return t.getIntVal() == 0 ? Set.of(sp.getPort()) : Set.of(t.getIntVal());
    }
    return backend.namedPort(t.getStrVal(), protocol);
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
