package dev.netpol.resolver;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.PolicyEndpoint;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Random clusters and policies: the verdict an agent computes from the PolicyEndpoints must equal
 * the verdict of {@link ReferenceEvaluator} on the NetworkPolicy objects, for every packet. Rerun
 * one case with {@code -Dnetpol.diff.seed=<seed> -Dnetpol.diff.cases=1}.
 */
class DifferentialTest {
  static final String[] PROTOCOLS = {"TCP", "TCP", "UDP", "SCTP"};
  static final int[] PORTS = {53, 80, 81, 100, 8080, 9000};
  static final String[] OUTSIDE_V4 = {"198.19.100.1", "198.18.1.200", "198.18.0.3", "198.18.250.1"};
  static final String[] OUTSIDE_V6 = {"fd00:198:18::99", "fd00:198:19::1"};

  long packets;
  long serviceChecks;

  @Test
  void agentVerdictsMatchTheSpec() {
    long base = Long.getLong("netpol.diff.seed", System.nanoTime());
    int cases = Integer.getInteger("netpol.diff.cases", 3000);
    for (int i = 0; i < cases; i++) {
      long seed = base + i;
      try {
        runCase(seed);
      } catch (AssertionError | RuntimeException e) {
        fail(
            "differential case failed, rerun with -Dnetpol.diff.seed="
                + seed
                + " -Dnetpol.diff.cases=1: "
                + e.getMessage(),
            e);
      }
    }
    System.out.printf(
        "differential: %d cases from seed %d, %d packets, %d service checks%n",
        cases, base, packets, serviceChecks);
    assertTrue(packets > cases * 10L, "too few packets compared: " + packets);
  }

  void runCase(long seed) {
    RandomCluster c = new RandomCluster(seed);
    ClusterSnapshot state = ClusterSnapshot.of(c.namespaces, c.pods, c.services);
    // chunk size 1-4; selected pods in the rules chunks, or in one selection object per node
    PolicyEndpointPlanner planner =
        new PolicyEndpointPlanner(1 + c.rnd.nextInt(4), c.rnd.nextBoolean() ? 0 : 1000);
    AgentEvaluator agent = new AgentEvaluator();
    List<List<PolicyEndpoint>> all = new ArrayList<>();
    for (NetworkPolicy np : c.policies) {
      Resolution r = new PolicyResolver().resolve(state, np);
      if (!(r instanceof ResolvedPolicy ok)) {
        throw new AssertionError("valid policy rejected: " + r + "\n" + Serialization.asYaml(np));
      }
      List<PolicyEndpoint> pes = planner.plan(ok);
      // what an agent reads has been through JSON
      pes =
          pes.stream()
              .map(p -> Serialization.unmarshal(Serialization.asJson(p), PolicyEndpoint.class))
              .toList();
      agent.addPolicy(pes);
      all.add(pes);
    }
    ReferenceEvaluator ref = new ReferenceEvaluator(c.namespaces, c.pods, c.policies);
    List<Pod> live = c.pods.stream().filter(ReferenceEvaluator::live).toList();
    for (int k = 0; k < 40; k++) {
      Pod from =
          live.isEmpty() || c.rnd.nextInt(5) == 0 ? null : live.get(c.rnd.nextInt(live.size()));
      Pod to =
          live.isEmpty() || c.rnd.nextInt(5) == 0 ? null : live.get(c.rnd.nextInt(live.size()));
      if (from == null && to == null) {
        continue;
      }
      boolean v6 = c.rnd.nextInt(4) == 0;
      String fromIp = address(c, from, v6);
      String toIp = address(c, to, v6);
      if (fromIp == null || toIp == null) {
        continue;
      }
      String protocol = c.pick(PROTOCOLS);
      int port = PORTS[c.rnd.nextInt(PORTS.length)];
      boolean want = ref.allowed(from, fromIp, to, toIp, protocol, port);
      boolean got =
          agent.allowed(ns(from), name(from), fromIp, ns(to), name(to), toIp, protocol, port);
      packets++;
      if (want != got) {
        throw new AssertionError(
            String.format(
                "%s %s(%s) -> %s(%s) %s/%d: spec says %s, PolicyEndpoints say %s%n%s%n%s",
                seed,
                key(from),
                fromIp,
                key(to),
                toIp,
                protocol,
                port,
                want ? "allow" : "deny",
                got ? "allow" : "deny",
                yaml(c.policies),
                yaml(all)));
      }
    }
    checkServiceEntriesAreSound(c, ref, all);
    checkClusterIpPacketsAreSound(c, ref, agent, live);
  }

  /**
   * Packets to a ClusterIP, as the egress hook sees them before DNAT: if the PolicyEndpoints pass
   * one, the spec must allow the source to reach every backend that serves the port.
   */
  void checkClusterIpPacketsAreSound(
      RandomCluster c, ReferenceEvaluator ref, AgentEvaluator agent, List<Pod> live) {
    if (live.isEmpty() || c.services.isEmpty()) {
      return;
    }
    for (int k = 0; k < 10; k++) {
      Pod src = live.get(c.rnd.nextInt(live.size()));
      Service svc = c.services.get(c.rnd.nextInt(c.services.size()));
      ServicePort sp = svc.getSpec().getPorts().get(c.rnd.nextInt(svc.getSpec().getPorts().size()));
      String srcIp = ReferenceEvaluator.ips(src).get(0);
      packets++;
      if (!agent.allowed(
          ns(src),
          name(src),
          srcIp,
          null,
          null,
          svc.getSpec().getClusterIP(),
          sp.getProtocol(),
          sp.getPort())) {
        continue;
      }
      for (Pod b : live) {
        if (!b.getMetadata().getNamespace().equals(svc.getMetadata().getNamespace())
            || !matches(svc.getSpec().getSelector(), b.getMetadata().getLabels())) {
          continue;
        }
        Integer target = target(sp, b);
        for (String ip : target == null ? List.<String>of() : ReferenceEvaluator.ips(b)) {
          if (ip.contains(":")) {
            continue; // an IPv4 ClusterIP is forwarded to the backend's IPv4 address
          }
          serviceChecks++;
          if (!ref.egressAllows(src, ip, sp.getProtocol(), target)) {
            throw new AssertionError(
                key(src)
                    + " -> "
                    + svc.getMetadata().getName()
                    + " "
                    + svc.getSpec().getClusterIP()
                    + ":"
                    + sp.getPort()
                    + " passes, but backend "
                    + key(b)
                    + " "
                    + ip
                    + ":"
                    + target
                    + " is denied by the spec\n"
                    + yaml(c.policies)
                    + yaml(agentView(c)));
          }
        }
      }
    }
  }

  static Object agentView(RandomCluster c) {
    return c.services;
  }

  /** A ClusterIP entry may only exist if every backend serving that port is reachable. */
  void checkServiceEntriesAreSound(
      RandomCluster c, ReferenceEvaluator ref, List<List<PolicyEndpoint>> all) {
    for (List<PolicyEndpoint> pes : all) {
      for (PolicyEndpoint pe : pes) {
        for (EndpointEntry e : pe.getSpec().getEgress()) {
          for (Service svc : c.services) {
            if (!e.getCidr().equals(svc.getSpec().getClusterIP() + "/32")) {
              continue;
            }
            for (var sel :
                pes.stream()
                    .flatMap(p -> p.getSpec().getPodSelectorEndpoints().stream())
                    .toList()) {
              Pod src =
                  c.pods.stream()
                      .filter(
                          p ->
                              p.getMetadata().getNamespace().equals(sel.getNamespace())
                                  && p.getMetadata().getName().equals(sel.getName()))
                      .findFirst()
                      .orElseThrow();
              for (var ep : e.getPorts()) {
                ServicePort sp =
                    svc.getSpec().getPorts().stream()
                        .filter(p -> p.getPort().equals(ep.getPort()))
                        .findFirst()
                        .orElseThrow();
                for (Pod b : c.pods) {
                  if (!ReferenceEvaluator.live(b)
                      || !b.getMetadata().getNamespace().equals(svc.getMetadata().getNamespace())
                      || !matches(svc.getSpec().getSelector(), b.getMetadata().getLabels())) {
                    continue;
                  }
                  Integer target = target(sp, b);
                  if (target == null) {
                    continue;
                  }
                  for (String ip : ReferenceEvaluator.ips(b)) {
                    if (ip.contains(":") != e.getCidr().contains(":")) {
                      continue; // a ClusterIP forwards to backend addresses of its own family
                    }
                    serviceChecks++;
                    if (!ref.egressAllows(src, ip, sp.getProtocol(), target)) {
                      throw new AssertionError(
                          "service "
                              + svc.getMetadata().getName()
                              + " "
                              + e
                              + " allowed but backend "
                              + key(b)
                              + " "
                              + ip
                              + ":"
                              + target
                              + " is not\n"
                              + yaml(c.policies));
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  static Integer target(ServicePort sp, Pod b) {
    IntOrString t = sp.getTargetPort();
    if (t.getIntVal() != null) {
      return t.getIntVal();
    }
    for (var cp : b.getSpec().getContainers().get(0).getPorts()) {
      if (t.getStrVal().equals(cp.getName()) && sp.getProtocol().equals(cp.getProtocol())) {
        return cp.getContainerPort();
      }
    }
    return null;
  }

  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  static String address(RandomCluster c, Pod pod, boolean v6) {
    if (pod == null) {
      return v6 ? c.pick(OUTSIDE_V6) : c.pick(OUTSIDE_V4);
    }
    for (String ip : ReferenceEvaluator.ips(pod)) {
      if (ip.contains(":") == v6) {
        return ip;
      }
    }
    return null;
  }

  static String ns(Pod p) {
    return p == null ? null : p.getMetadata().getNamespace();
  }

  static String name(Pod p) {
    return p == null ? null : p.getMetadata().getName();
  }

  static String key(Pod p) {
    return p == null ? "outside" : ns(p) + "/" + name(p);
  }

  static String yaml(Object o) {
    return Serialization.asYaml(o);
  }
}
