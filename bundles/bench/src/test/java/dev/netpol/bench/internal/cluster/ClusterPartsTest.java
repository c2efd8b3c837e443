package dev.netpol.bench.internal.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The pieces of the cluster fixture that need no kernel: manifests, kubectl timing, probes. */
class ClusterPartsTest {
  @Test
  void fillerPoliciesSelectEveryPodAndCarryTheRuleCount() {
    List<Manifests.FillerPod> pods = Manifests.fillerPods(107);
    assertEquals(107, pods.size());
    assertEquals(10, pods.stream().map(Manifests.FillerPod::namespace).distinct().count());
    String yaml = Manifests.fillerPolicies(107, 1000, 10);
    assertEquals(1000, count(yaml, "kind: NetworkPolicy"));
    assertEquals(1000 * 10, count(yaml, "  - from:"));
    assertEquals(1000 * 9, count(yaml, "ipBlock"));
    // every policy's app label names a pod of its namespace
    Map<String, Long> appsPerNs =
        pods.stream()
            .collect(Collectors.groupingBy(Manifests.FillerPod::namespace, Collectors.counting()));
    for (String line : yaml.split("\n")) {
      if (line.contains("matchLabels: {app: a")) {
        int app = Integer.parseInt(line.replaceAll(".*app: a(\\d+).*", "$1"));
        assertTrue(app < 11, line);
      }
    }
    assertEquals(
        Map.of(11L, 7L, 10L, 3L),
        appsPerNs.values().stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())));
    assertTrue(Manifests.switched(true).contains("pod: cli"));
    assertTrue(Manifests.switched(false).contains("pod: nobody"));
  }

  static long count(String s, String needle) {
    long n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void kubectlWriteTimeIsTheLastWriteLineOfItsVerboseLog() {
    String out =
        """
        I1205 13:30:36.821201     891 round_trippers.go:560] GET http://127.0.0.1:45513/apis/networking.k8s.io/v1/namespaces/bench-m/networkpolicies/allow-cli 200 OK in 1 milliseconds
        I1205 13:30:36.912971     891 round_trippers.go:560] PATCH http://127.0.0.1:45513/apis/networking.k8s.io/v1/namespaces/bench-m/networkpolicies/allow-cli?fieldManager=kubectl-client-side-apply 200 OK in 3 milliseconds
        networkpolicy.networking.k8s.io/allow-cli configured
        I1205 13:30:36.953317     891 apply.go:548] Running apply post-processor function
        """;
    long at = Kubectl.writeAnsweredAt(out);
    long getAt = Kubectl.writeAnsweredAt(out.replace("PATCH", "XXXX").replace("GET", "POST"));
    assertEquals(91_770_000, at - getAt, 1_000_000); // 36.912971 - 36.821201 s
    assertEquals(-1, Kubectl.writeAnsweredAt("networkpolicy created\n"));
  }

  @Test
  void settledIsTheFirstAttemptOfTheFinalRunOfTheNewVerdict() {
    List<Prober.Attempt> a =
        List.of(
            new Prober.Attempt(100, "timeout", 50, 1),
            new Prober.Attempt(102, "ok", 1, 2),
            new Prober.Attempt(104, "timeout", 50, 3),
            new Prober.Attempt(106, "ok", 1, 4),
            new Prober.Attempt(108, "ok", 1, 5));
    assertEquals(106, Prober.settledAt(a, 0, 1000, true));
    assertEquals(-1, Prober.settledAt(a, 0, 1000, false));
    assertEquals(100, Prober.settledAt(a, 0, 101, false));
    assertEquals(-1, Prober.settledAt(a, 200, 300, true));
  }

  @Test
  void captureLinesOfTcpdump() {
    List<Capture.Packet> p =
        Capture.parse(
            """
            1733405000.123456 IP 198.18.194.3.45678 > 198.18.194.2.80: Flags [S], seq 1, win 64240, length 0
            1733405000.763456 IP 198.18.194.2.80 > 198.18.194.3.45678: Flags [S.], seq 2, ack 2, win 65160, length 0
            1733405001.000001 IP 198.18.194.3.45678 > 198.18.194.2.80: Flags [R], seq 2, win 0, length 0
            """);
    assertEquals(3, p.size());
    assertEquals(
        new Capture.Packet(1733405000.123456, "198.18.194.3", 45678, "198.18.194.2", 80, "S"),
        p.get(0));
    assertEquals("S.", p.get(1).flags());
    assertEquals(45678, p.get(1).dport());
  }
}
