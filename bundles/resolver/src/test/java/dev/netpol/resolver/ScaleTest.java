package dev.netpol.resolver;

import static dev.netpol.resolver.Fixtures.ns;
import static dev.netpol.resolver.Fixtures.pod;
import static dev.netpol.resolver.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A namespace-wide policy over 20k pods and 2k Services resolves and plans. */
class ScaleTest {
  @Test
  void twentyThousandPods() {
    List<Pod> pods = new ArrayList<>();
    List<Service> svcs = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      pods.add(
          pod("x", "p" + i)
              .labels("app=a" + (i % 2000))
              .node("node-" + (i % 500))
              .ips("198.18." + (i / 250) + "." + (i % 250 + 1))
              .port("http", 8080, "TCP")
              .build());
    }
    for (int s = 0; s < 2000; s++) {
      svcs.add(
          Fixtures.svc(
              "x",
              "s" + s,
              "198.19." + (s / 250) + "." + (s % 250 + 1),
              Map.of("app", "a" + s),
              "80:http/TCP"));
    }
    ClusterSnapshot state = ClusterSnapshot.of(List.of(ns("x")), pods, svcs);
    String yaml =
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: x, name: all}\n"
            + "spec: {podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{from: [{podSelector: {}}]}],"
            + " egress: [{to: [{podSelector: {}}], ports: [{port: http}]}, {to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 53, protocol: UDP}]}]}";
    long t0 = System.nanoTime();
    ResolvedPolicy r = (ResolvedPolicy) new PolicyResolver().resolve(state, policy(yaml));
    var pes = new PolicyEndpointPlanner().plan(r);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf(
        "scale: 20000 pods, 2000 services: %d ms, %d PolicyEndpoints, %d egress entries%n",
        ms, pes.size(), r.egress().size());
    assertEquals(20_000, r.selectedPods().size());
    assertEquals(
        20_000 + 2000 + 1,
        r.egress().size()); // pods on 8080, ClusterIPs on 80, 0/0 UDP 53 minus ClusterIPs
    assertEquals(23 + 500, pes.size()); // rules chunks, one selection per node
    assertEquals(500, pes.get(0).getMetadata().getLabels().size());
    // timing lives in the benchmarks (bench/ControllerScaleBenchmark); printed here for the record
  }
}
