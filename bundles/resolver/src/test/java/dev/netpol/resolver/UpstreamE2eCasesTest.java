package dev.netpol.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.policyendpoint.PolicyEndpoint;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream Kubernetes NetworkPolicy e2e cases (kubernetes
 * test/e2e/network/netpol/network_policy.go, classic 9-pod model), probed as upstream does: client
 * pod -> server's Service ClusterIP. The agent-side verdict checks egress on ClusterIP:port (before
 * DNAT) and ingress on the client's pod IP (after DNAT); it must equal the spec verdict on pod IPs
 * for all 81 pairs (loopback ignored). A few cases also have their upstream expectation spelled
 * out.
 */
class UpstreamE2eCasesTest {
  static final String[] NS = {"x", "y", "z"};
  static final String[] PODS = {"a", "b", "c"};
  static final String[] PROTOCOLS = {"TCP", "UDP", "SCTP"};

  static String ip(int n, int p) {
    return "198.18." + n + "." + (p + 1);
  }

  static String clusterIp(int n, int p) {
    return "198.19." + n + "." + (p + 1);
  }

  static final List<Namespace> NAMESPACES = Stream.of(NS).map(Fixtures::ns).toList();
  static final List<Pod> ALL_PODS = new ArrayList<>();
  static final List<Service> SERVICES = new ArrayList<>();

  static {
    for (int n = 0; n < 3; n++) {
      for (int p = 0; p < 3; p++) {
        var b =
            Fixtures.pod(NS[n], PODS[p]).labels("pod=" + PODS[p]).ips(ip(n, p)).node("node-" + p);
        List<String> ports = new ArrayList<>();
        for (String proto : PROTOCOLS) {
          for (int port : new int[] {80, 81}) {
            b.port("serve-" + port + "-" + proto.toLowerCase(), port, proto);
            ports.add(port + ":" + port + "/" + proto);
          }
        }
        ALL_PODS.add(b.build());
        SERVICES.add(
            Fixtures.svc(
                NS[n],
                "s-" + NS[n] + "-" + PODS[p],
                clusterIp(n, p),
                Map.of("pod", PODS[p]),
                ports.toArray(String[]::new)));
      }
    }
  }

  static final String A = "{matchLabels: {pod: a}}";

  static String np(String ns, String name, String spec) {
    return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: "
        + ns
        + ", name: "
        + name
        + "}\nspec: "
        + spec;
  }

  static String nsSel(String ns) {
    return "{matchLabels: {kubernetes.io/metadata.name: " + ns + "}}";
  }

  static Arguments c(String name, String... policies) {
    return Arguments.of(name, List.of(policies));
  }

  static Stream<Arguments> cases() {
    String notInX =
        "{matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}";
    String xb = ip(0, 1);
    return Stream.of(
        c(
            "01 default-deny-ingress",
            np("x", "deny-ingress", "{podSelector: {}, policyTypes: [Ingress], ingress: []}")),
        c(
            "02 default-deny-all",
            np("x", "deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress]}")),
        c(
            "03 pod selector within namespace",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]}")),
        c(
            "04 allow ingress to a target over deny-all",
            np("x", "deny-all", "{podSelector: {}, policyTypes: [Ingress], ingress: []}"),
            np(
                "x",
                "allow-all-to-a",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{podSelector: {}, namespaceSelector: {}}]}]}")),
        c(
            "05 from all namespaces",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {matchLabels: {}}}]}]}")),
        c(
            "06 only from a different namespace",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + "}]}]}")),
        c(
            "07 pod selector matchExpressions",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [b]}]}}]}]}")),
        c(
            "08 namespace selector matchExpressions",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [y]}]}}]}]}")),
        c(
            "09 pod selector OR namespace selector",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + notInX
                    + "}, {podSelector: {matchLabels: {pod: b}}}]}]}")),
        c(
            "10 pod selector AND namespace selector",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + notInX
                    + ", podSelector: {matchLabels: {pod: b}}}]}]}")),
        c(
            "11 multiple pod and namespace selectors",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + notInX
                    + ", podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}}]}]}")),
        c(
            "12 any pod selectors",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}, {podSelector: {matchLabels: {pod: c}}}]}]}")),
        c(
            "13 pod in another namespace",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + ", podSelector: "
                    + A
                    + "}]}]}")),
        c(
            "14 ports",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + "}], ports: [{port: 81, protocol: TCP}]}]}")),
        c(
            "15 stacked policies",
            np(
                "x",
                "p81",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + "}], ports: [{port: 81, protocol: TCP}]}]}"),
            np(
                "x",
                "p80",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + "}], ports: [{port: 80, protocol: TCP}]}]}")),
        c(
            "16 allow-all",
            np(
                "x",
                "allow-all",
                "{podSelector: {matchLabels: {}}, policyTypes: [Ingress], ingress: [{}]}")),
        c(
            "17 ingress on one named port",
            np(
                "x",
                "allow-all",
                "{podSelector: {}, policyTypes: [Ingress], ingress: [{ports: [{port: serve-81-tcp}]}]}")),
        c(
            "18 ingress from namespace on named port",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + "}], ports: [{port: serve-80-tcp, protocol: TCP}]}]}")),
        c(
            "19 egress on one named port",
            np(
                "x",
                "allow-egress",
                "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: serve-80-tcp}]}]}")),
        c(
            "20 updated to deny-all",
            np("x", "p", "{podSelector: {}, policyTypes: [Ingress], ingress: []}")),
        c(
            "23 deny ingress from other namespaces",
            np("x", "p", "{podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}")),
        c(
            "25 deny egress of pod a",
            np("x", "p", "{podSelector: " + A + ", policyTypes: [Egress], egress: []}")),
        c(
            "26 deny egress of a namespace",
            np("x", "p", "{podSelector: {}, policyTypes: [Egress], egress: []}")),
        c(
            "27 ingress and egress together",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Egress, Ingress], ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}], egress: [{ports: [{port: 80}]}]}")),
        c(
            "28 client-side egress denial",
            np(
                "x",
                "allow-to-ns-y-pod-a",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Egress], egress: [{to: [{namespaceSelector: "
                    + nsSel("y")
                    + ", podSelector: "
                    + A
                    + "}]}]}"),
            np(
                "y",
                "ya",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("x")
                    + ", podSelector: "
                    + A
                    + "}]}]}"),
            np(
                "y",
                "yb",
                "{podSelector: {matchLabels: {pod: b}}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("x")
                    + ", podSelector: "
                    + A
                    + "}]}]}")),
        c(
            "29 egress to pod in another namespace",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Egress], egress: [{to: [{namespaceSelector: "
                    + nsSel("y")
                    + ", podSelector: "
                    + A
                    + "}]}]}")),
        c(
            "30 any port on one protocol",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{ports: [{protocol: TCP}]}]}")),
        c(
            "31 ingress allow-all takes precedence",
            np(
                "x",
                "p80",
                "{podSelector: {}, policyTypes: [Ingress], ingress: [{ports: [{port: 80}]}]}"),
            np("x", "all", "{podSelector: {}, policyTypes: [Ingress], ingress: [{}]}")),
        c(
            "31a only port 80",
            np(
                "x",
                "p80",
                "{podSelector: {}, policyTypes: [Ingress], ingress: [{ports: [{port: 80}]}]}")),
        c(
            "32 egress allow-all takes precedence",
            np(
                "x",
                "p80",
                "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 80}]}]}"),
            np("x", "all", "{podSelector: {}, policyTypes: [Egress], egress: [{}]}")),
        c(
            "32a only egress port 80",
            np(
                "x",
                "p80",
                "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 80}]}]}")),
        c(
            "34 egress to CIDR",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "
                    + ip(1, 1)
                    + "/32}}]}]}")),
        c(
            "35 except clause",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "
                    + ip(0, 0)
                    + "/4, except: ["
                    + xb
                    + "/32]}}]}]}")),
        c(
            "36 updated to the excepted pod only",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "
                    + xb
                    + "/32}}]}]}")),
        c(
            "37 ingress and egress independent",
            np("x", "e", "{podSelector: " + A + ", policyTypes: [Egress], egress: [{}]}"),
            np("x", "i", "{podSelector: " + A + ", policyTypes: [Ingress], ingress: []}")),
        c(
            "38 SCTP is not TCP",
            np("x", "deny", "{podSelector: {}, policyTypes: [Ingress], ingress: []}"),
            np(
                "x",
                "sctp",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{ports: [{port: 81, protocol: SCTP}]}]}")),
        c(
            "39 SCTP-only policy still isolates",
            np(
                "x",
                "sctp",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{ports: [{port: 80, protocol: SCTP}]}]}")),
        c(
            "40 UDP-only policy blocks TCP",
            np(
                "x",
                "udp",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{ports: [{port: 81, protocol: UDP}]}]}")),
        c(
            "41 default namespace label",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + "}]}]}")),
        c(
            "42 egress NotIn default namespace label",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [y]}]}}]}]}")),
        c(
            "44 UDP ports",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + "}], ports: [{port: 81, protocol: UDP}]}]}")),
        c(
            "47 SCTP ports",
            np(
                "x",
                "p",
                "{podSelector: "
                    + A
                    + ", policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                    + nsSel("y")
                    + "}], ports: [{port: 81, protocol: SCTP}]}]}")));
  }

  /** Verdicts for one case, agent side (via ClusterIP) and spec side (pod IPs). */
  record Matrix(AgentEvaluator agent, ReferenceEvaluator ref) {
    boolean viaService(int fn, int fp, int tn, int tp, String proto, int port) {
      return agent.allowed(NS[fn], PODS[fp], ip(fn, fp), null, null, clusterIp(tn, tp), proto, port)
          && agent.allowed(null, null, ip(fn, fp), NS[tn], PODS[tp], ip(tn, tp), proto, port);
    }
  }

  static Matrix build(List<String> yamls) {
    ClusterSnapshot state = ClusterSnapshot.of(NAMESPACES, ALL_PODS, SERVICES);
    List<NetworkPolicy> policies = yamls.stream().map(Fixtures::policy).toList();
    AgentEvaluator agent = new AgentEvaluator();
    for (NetworkPolicy np : policies) {
      ResolvedPolicy r = (ResolvedPolicy) new PolicyResolver().resolve(state, np);
      List<PolicyEndpoint> pes = new PolicyEndpointPlanner().plan(r);
      agent.addPolicy(pes);
    }
    return new Matrix(agent, new ReferenceEvaluator(NAMESPACES, ALL_PODS, policies));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void viaClusterIpMatchesTheSpec(String name, List<String> yamls) {
    Matrix m = build(yamls);
    List<String> diffs = new ArrayList<>();
    for (String proto : PROTOCOLS) {
      for (int port : new int[] {80, 81}) {
        for (int fn = 0; fn < 3; fn++) {
          for (int fp = 0; fp < 3; fp++) {
            for (int tn = 0; tn < 3; tn++) {
              for (int tp = 0; tp < 3; tp++) {
                if (fn == tn && fp == tp) {
                  continue;
                }
                Pod from = pod(fn, fp);
                Pod to = pod(tn, tp);
                boolean want = m.ref.allowed(from, ip(fn, fp), to, ip(tn, tp), proto, port);
                boolean got = m.viaService(fn, fp, tn, tp, proto, port);
                if (want != got) {
                  diffs.add(
                      NS[fn]
                          + "/"
                          + PODS[fp]
                          + " -> "
                          + NS[tn]
                          + "/"
                          + PODS[tp]
                          + " "
                          + proto
                          + "/"
                          + port
                          + ": spec "
                          + want
                          + ", via ClusterIP "
                          + got);
                }
              }
            }
          }
        }
      }
    }
    assertEquals(List.of(), diffs);
  }

  static Pod pod(int n, int p) {
    return ALL_PODS.get(n * 3 + p);
  }

  // upstream expectations, spelled out for a few cases (anchors the spec evaluator too)

  @Test
  void defaultDenyAllLeavesOnlyTrafficOutsideX() {
    Matrix m =
        build(List.of(np("x", "deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress]}")));
    assertFalse(m.viaService(0, 0, 0, 1, "TCP", 80));
    assertFalse(m.viaService(1, 0, 0, 0, "TCP", 80));
    assertFalse(m.viaService(0, 0, 1, 0, "TCP", 80));
    assertTrue(m.viaService(1, 0, 2, 1, "TCP", 80));
  }

  @Test
  void exceptCarvesOnePodOutOfAWideBlock() {
    Matrix m =
        build(
            List.of(
                np(
                    "x",
                    "p",
                    "{podSelector: "
                        + A
                        + ", policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "
                        + ip(0, 0)
                        + "/4, except: ["
                        + ip(0, 1)
                        + "/32]}}]}]}")));
    assertFalse(m.viaService(0, 0, 0, 1, "TCP", 80), "x/a -> x/b");
    assertTrue(m.viaService(0, 0, 0, 2, "TCP", 80), "x/a -> x/c");
    assertTrue(m.viaService(0, 0, 1, 1, "TCP", 80), "x/a -> y/b");
  }

  @Test
  void namedEgressPortResolvesOnTheDestination() {
    Matrix m =
        build(
            List.of(
                np(
                    "x",
                    "allow-egress",
                    "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: serve-80-tcp}]}]}")));
    assertTrue(m.viaService(0, 0, 1, 0, "TCP", 80));
    assertFalse(m.viaService(0, 0, 1, 0, "TCP", 81));
    assertFalse(m.viaService(0, 0, 0, 1, "TCP", 81));
    assertTrue(m.viaService(1, 0, 0, 1, "TCP", 81));
  }

  @Test
  void clientEgressDenialWinsOverServerAllow() {
    Matrix m =
        build(
            List.of(
                np(
                    "x",
                    "e",
                    "{podSelector: "
                        + A
                        + ", policyTypes: [Egress], egress: [{to: [{namespaceSelector: "
                        + nsSel("y")
                        + ", podSelector: "
                        + A
                        + "}]}]}"),
                np(
                    "y",
                    "yb",
                    "{podSelector: {matchLabels: {pod: b}}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
                        + nsSel("x")
                        + ", podSelector: "
                        + A
                        + "}]}]}")));
    assertTrue(m.viaService(0, 0, 1, 0, "TCP", 80), "x/a -> y/a");
    assertFalse(m.viaService(0, 0, 1, 1, "TCP", 80), "x/a -> y/b");
    assertFalse(m.viaService(0, 1, 1, 1, "TCP", 80), "x/b -> y/b");
  }

  @Test
  void udpOrSctpOnlyPoliciesStillIsolateForTcp() {
    Matrix m =
        build(
            List.of(
                np(
                    "x",
                    "udp",
                    "{podSelector: "
                        + A
                        + ", policyTypes: [Ingress], ingress: [{ports: [{port: 81, protocol: UDP}]}]}")));
    assertFalse(m.viaService(1, 0, 0, 0, "TCP", 81));
    assertTrue(m.viaService(1, 0, 0, 0, "UDP", 81));
    Matrix any =
        build(
            List.of(
                np(
                    "x",
                    "p",
                    "{podSelector: "
                        + A
                        + ", policyTypes: [Ingress], ingress: [{ports: [{protocol: TCP}]}]}")));
    assertTrue(any.viaService(1, 0, 0, 0, "TCP", 80));
    assertFalse(any.viaService(1, 0, 0, 0, "UDP", 80));
  }
}
