package dev.netpol.resolver;

import static dev.netpol.resolver.Fixtures.labels;
import static dev.netpol.resolver.Fixtures.ns;
import static dev.netpol.resolver.Fixtures.pod;
import static dev.netpol.resolver.Fixtures.policy;
import static dev.netpol.resolver.Fixtures.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Table tests: cluster state + one policy -> PolicyEndpoints, rendered one fact per line. */
class PolicyResolverTest {
  static final List<Pod> PODS =
      List.of(
          pod("x", "a")
              .labels("pod=a")
              .ips("198.18.0.1")
              .node("n1")
              .port("serve-80-tcp", 80, "TCP")
              .port("serve-81-tcp", 81, "TCP")
              .build(),
          pod("x", "b")
              .labels("pod=b")
              .ips("198.18.0.2")
              .node("n2")
              .port("serve-80-tcp", 80, "TCP")
              .build(),
          pod("x", "c").labels("pod=c", "tier=db").ips("198.18.0.3").node("n2").build(),
          pod("y", "a")
              .labels("pod=a")
              .ips("198.18.1.1", "fd00:198:18::11")
              .node("n1")
              .port("serve-80-tcp", 8080, "TCP")
              .build(),
          pod("y", "b").labels("pod=b").ips("198.18.1.2").node("n3").build(),
          pod("z", "a").labels("pod=a").ips("198.18.2.1").node("n3").build());

  static ClusterSnapshot cluster(List<Pod> extraPods, List<Service> services) {
    List<Pod> pods = new ArrayList<>(PODS);
    pods.addAll(extraPods);
    return ClusterSnapshot.of(
        List.of(ns("x"), ns("y", "team=blue"), ns("z", "team=red")), pods, services);
  }

  static List<String> resolve(ClusterSnapshot state, String yaml) {
    Resolution r = new PolicyResolver().resolve(state, policy(yaml));
    ResolvedPolicy ok = assertInstanceOf(ResolvedPolicy.class, r, r::toString);
    return Fixtures.render(new PolicyEndpointPlanner().plan(ok));
  }

  static List<String> resolve(String yaml) {
    return resolve(cluster(List.of(), List.of()), yaml);
  }

  static final String HEAD =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
          + "metadata: {namespace: x, name: p, uid: u1}\n";

  static final List<String> X_PODS =
      List.of("pod x/a@n1 [198.18.0.1]", "pod x/b@n2 [198.18.0.2]", "pod x/c@n2 [198.18.0.3]");

  static List<String> with(List<String> a, String... more) {
    List<String> l = new ArrayList<>(a);
    l.addAll(List.of(more));
    return l;
  }

  @Test
  void defaultDenyIngress() {
    assertEquals(
        with(List.of("isolation [Ingress]"), X_PODS.toArray(String[]::new)),
        resolve(HEAD + "spec: {podSelector: {}, policyTypes: [Ingress], ingress: []}"));
  }

  @Test
  void policyTypesDefaultLikeTheApiServer() {
    assertEquals("isolation [Ingress]", resolve(HEAD + "spec: {podSelector: {}}").get(0));
    assertEquals(
        "isolation [Ingress]", resolve(HEAD + "spec: {podSelector: {}, egress: []}").get(0));
    assertEquals(
        "isolation [Ingress, Egress]",
        resolve(HEAD + "spec: {podSelector: {}, egress: [{}]}").get(0));
    assertEquals(
        "isolation [Egress]",
        resolve(HEAD + "spec: {podSelector: {}, policyTypes: [Egress]}").get(0));
  }

  @Test
  void rulesOfANonIsolatedDirectionAreIgnored() {
    List<String> l =
        resolve(
            HEAD
                + "spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress],"
                + " ingress: [{}], egress: []}");
    assertEquals(List.of("isolation [Egress]", "pod x/a@n1 [198.18.0.1]"), l);
  }

  @Test
  void missingFromMeansEverySourceAndEmptyRuleAllowsAll() {
    assertEquals(
        List.of(
            "isolation [Ingress]",
            "pod x/a@n1 [198.18.0.1]",
            "ingress 0.0.0.0/0 all",
            "ingress ::/0 all"),
        resolve(HEAD + "spec: {podSelector: {matchLabels: {pod: a}}, ingress: [{}]}"));
  }

  @Test
  void podSelectorOnlyPeerMeansThePolicyNamespace() {
    assertEquals(
        List.of("isolation [Ingress]", "pod x/a@n1 [198.18.0.1]", "ingress 198.18.0.2/32 all"),
        resolve(
            HEAD
                + "spec: {podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]}"));
  }

  @Test
  void emptyPodSelectorPeerIsEveryPodOfThePolicyNamespace() {
    assertEquals(
        List.of(
            "ingress 198.18.0.1/32 all", "ingress 198.18.0.2/32 all", "ingress 198.18.0.3/32 all"),
        ingressOnly(
            resolve(HEAD + "spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}")));
  }

  @Test
  void emptyNamespaceSelectorIsEveryNamespace() {
    assertEquals(
        7,
        ingressOnly(
                resolve(
                    HEAD + "spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}"))
            .size());
  }

  @Test
  void selectorsInOnePeerAreAndedSeparatePeersOred() {
    assertEquals(
        List.of("ingress 198.18.1.2/32 all"),
        ingressOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]},"
                    + " podSelector: {matchLabels: {pod: b}}}]}]}")));
    assertEquals(
        List.of(
            "ingress 198.18.0.2/32 all",
            "ingress 198.18.1.1/32 all",
            "ingress 198.18.1.2/32 all",
            "ingress fd00:198:18::11/128 all"),
        ingressOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {}, ingress: [{from: ["
                    + "{namespaceSelector: {matchLabels: {team: blue}}}, {podSelector: {matchLabels: {pod: b}}}]}]}")));
  }

  @Test
  void matchExpressionOperators() {
    assertEquals(
        List.of("pod x/c@n2 [198.18.0.3]"),
        podsOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {matchExpressions: [{key: tier, operator: Exists}]}}")));
    assertEquals(
        List.of("pod x/a@n1 [198.18.0.1]", "pod x/b@n2 [198.18.0.2]"),
        podsOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}}")));
    assertEquals(
        List.of("pod x/a@n1 [198.18.0.1]", "pod x/c@n2 [198.18.0.3]"),
        podsOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {matchExpressions: [{key: pod, operator: NotIn, values: [b]}]}}")));
    assertEquals(
        List.of("pod x/b@n2 [198.18.0.2]"),
        podsOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {matchLabels: {pod: b}, matchExpressions: [{key: pod, operator: In, values: [a, b]}]}}")));
  }

  @Test
  void ipBlockWithExceptAndPorts() {
    assertEquals(
        List.of("egress 198.16.0.0/12 except [198.18.0.2/32] [TCP/80, UDP/53-60, SCTP]"),
        egressOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress],"
                    + " egress: [{to: [{ipBlock: {cidr: 198.18.0.5/12, except: [198.18.0.2/32]}}],"
                    + " ports: [{port: 80}, {protocol: UDP, port: 53, endPort: 60}, {protocol: SCTP}]}]}")));
  }

  @Test
  void namedIngressPortDiffersPerSelectedPod() {
    // x/a and x/b name serve-80-tcp 80; x/c has no such port: x/c is not opened at all
    assertEquals(
        List.of(
            "ingress 0.0.0.0/0 [TCP/80] targets [a, b]", "ingress ::/0 [TCP/80] targets [a, b]"),
        ingressOnly(
            resolve(HEAD + "spec: {podSelector: {}, ingress: [{ports: [{port: serve-80-tcp}]}]}")));
    // in y, y/a names serve-80-tcp 8080: a policy in y selecting y/a gets 8080 for everyone
    // selected
    String y = HEAD.replace("namespace: x", "namespace: y");
    assertEquals(
        List.of("ingress 0.0.0.0/0 [TCP/8080] targets [a]", "ingress ::/0 [TCP/8080] targets [a]"),
        ingressOnly(
            resolve(y + "spec: {podSelector: {}, ingress: [{ports: [{port: serve-80-tcp}]}]}")));
    assertEquals(
        List.of("ingress 0.0.0.0/0 [TCP/8080]", "ingress ::/0 [TCP/8080]"),
        ingressOnly(
            resolve(
                y
                    + "spec: {podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{port: serve-80-tcp}]}]}")));
  }

  @Test
  void namedIngressPortWithDifferentNumbersSplitsTargets() {
    Pod d =
        pod("x", "d").labels("pod=d").ips("198.18.0.4").port("serve-80-tcp", 8080, "TCP").build();
    assertEquals(
        List.of(
            "ingress 198.18.2.1/32 [TCP/80] targets [a, b]",
            "ingress 198.18.2.1/32 [TCP/8080] targets [d]"),
        ingressOnly(
            resolve(
                cluster(List.of(d), List.of()),
                HEAD
                    + "spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: red}}}],"
                    + " ports: [{port: serve-80-tcp, protocol: TCP}]}]}")));
  }

  @Test
  void namedEgressPortResolvesPerDestination() {
    // to missing: every pod that names serve-80-tcp, on its own number; pods without it are absent
    assertEquals(
        List.of(
            "egress 198.18.0.1/32 [TCP/80]",
            "egress 198.18.0.2/32 [TCP/80]",
            "egress 198.18.1.1/32 [TCP/8080]",
            "egress fd00:198:18::11/128 [TCP/8080]"),
        egressOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: serve-80-tcp}]}]}")));
    // named + numeric with an ipBlock: numeric on the block, named on pods inside it
    assertEquals(
        List.of("egress 198.18.1.0/24 [UDP/53]", "egress 198.18.1.1/32 [TCP/8080]"),
        egressOnly(
            resolve(
                HEAD
                    + "spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 198.18.1.0/24}}],"
                    + " ports: [{port: serve-80-tcp}, {port: 53, protocol: UDP}]}]}")));
  }

  @Test
  void excludedPodsAreNeitherSelectedNorPeers() {
    List<Pod> extra =
        List.of(
            pod("x", "host").labels("pod=b").ips("198.18.9.1").hostNetwork().build(),
            pod("x", "pending").labels("pod=b").phase("Pending").build(),
            pod("x", "done").labels("pod=b").ips("198.18.9.2").phase("Succeeded").build(),
            pod("x", "failed").labels("pod=b").ips("198.18.9.3").phase("Failed").build());
    List<String> l =
        resolve(
            cluster(extra, List.of()),
            HEAD
                + "spec: {podSelector: {matchLabels: {pod: b}}, ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]}");
    assertEquals(
        List.of("isolation [Ingress]", "pod x/b@n2 [198.18.0.2]", "ingress 198.18.0.2/32 all"), l);
  }

  @Test
  void dualStackPodsContributeEveryIp() {
    String y = HEAD.replace("namespace: x", "namespace: y");
    List<String> l =
        resolve(
            y
                + "spec: {podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector: {matchLabels: {pod: a}}}]}]}");
    assertEquals(
        List.of(
            "isolation [Ingress]",
            "pod y/a@n1 [198.18.1.1, fd00:198:18::11]",
            "ingress 198.18.1.1/32 all",
            "ingress fd00:198:18::11/128 all"),
        l);
  }

  @Test
  void servicesWhoseBackendsAreAllAllowedGetTheirClusterIp() {
    List<Service> svcs =
        List.of(
            svc("y", "numeric", "198.19.0.1", labels("pod=a"), "80:8080/TCP", "81:81/TCP"),
            svc("y", "named", "198.19.0.2", labels("pod=a"), "80:serve-80-tcp/TCP"),
            svc("y", "wide", "198.19.0.3", labels(), "80:8080/TCP"), // no selector
            svc("y", "mixed", "198.19.0.4", labels("team=x"), "80:8080/TCP"), // no backends
            svc(
                "x",
                "other-ns",
                "198.19.0.5",
                labels("pod=a"),
                "80:8080/TCP"), // backend x/a not allowed
            svc("y", "headless", "None", labels("pod=a"), "80:8080/TCP"));
    List<String> l =
        egressOnly(
            resolve(
                cluster(List.of(), svcs),
                HEAD
                    + "spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {team: blue}}, podSelector: {matchLabels: {pod: a}}}],"
                    + " ports: [{port: 8080}]}]}"));
    assertEquals(
        List.of(
            "egress 198.18.1.1/32 [TCP/8080]",
            "egress 198.19.0.1/32 [TCP/80]",
            "egress 198.19.0.2/32 [TCP/80]",
            "egress fd00:198:18::11/128 [TCP/8080]"),
        l);
  }

  @Test
  void serviceWithABackendOutsideThePeersGetsNoEntry() {
    Pod extra =
        pod("y", "a2")
            .labels("pod=a", "canary=yes")
            .ips("198.18.1.9")
            .port("serve-80-tcp", 8080, "TCP")
            .build();
    List<Service> svcs = List.of(svc("y", "s", "198.19.0.1", labels("pod=a"), "80:8080/TCP"));
    List<String> l =
        egressOnly(
            resolve(
                cluster(List.of(extra), svcs),
                HEAD
                    + "spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {}, podSelector: {matchExpressions: [{key: canary, operator: DoesNotExist}, {key: pod, operator: In, values: [a]}]}}]}]}"));
    assertEquals(
        List.of(
            "egress 198.18.0.1/32 all",
            "egress 198.18.1.1/32 all",
            "egress 198.18.2.1/32 all",
            "egress fd00:198:18::11/128 all"),
        l);
  }

  @Test
  void serviceWithANamedTargetPortTheRuleDoesNotAllowGetsNoEntry() {
    // y/a serves serve-80-tcp on 8080; the rule allows 80 only
    List<Service> svcs =
        List.of(svc("y", "s", "198.19.0.2", labels("pod=a"), "80:serve-80-tcp/TCP"));
    List<String> l =
        egressOnly(
            resolve(
                cluster(List.of(), svcs),
                HEAD
                    + "spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: a}}}], ports: [{port: 80}]}]}"));
    assertEquals(4, l.size(), l.toString());
    assertEquals(0, l.stream().filter(s -> s.contains("198.19.")).count(), l.toString());
  }

  @Test
  void wideBlocksExceptSelectorServiceClusterIpsWhichGetTheirOwnEntries() {
    // 198.16.0.0/12 holds the ClusterIPs; x/a (backend of "xa") is excepted, y/a (backend of "ya")
    // is not
    List<Service> svcs =
        List.of(
            svc("x", "xa", "198.19.0.1", labels("pod=a"), "80:80/TCP"),
            svc("y", "ya", "198.19.0.2", labels("pod=a"), "80:8080/TCP"));
    List<String> l =
        egressOnly(
            resolve(
                cluster(List.of(), svcs),
                HEAD
                    + "spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 198.16.0.0/12, except: [198.18.0.1/32]}}]}]}"));
    assertEquals(
        List.of(
            "egress 198.16.0.0/12 except [198.18.0.1/32, 198.19.0.1/32, 198.19.0.2/32] all",
            "egress 198.19.0.2/32 [TCP/80]"),
        l);
  }

  static List<String> ingressOnly(List<String> l) {
    return l.stream().filter(s -> s.startsWith("ingress ")).toList();
  }

  static List<String> egressOnly(List<String> l) {
    return l.stream().filter(s -> s.startsWith("egress ")).toList();
  }

  static List<String> podsOnly(List<String> l) {
    return l.stream().filter(s -> s.startsWith("pod ")).toList();
  }
}
