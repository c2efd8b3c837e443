package dev.netpol.bench.internal.programming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyChangesTest {
  @Test
  void slowConnectsAreExplainedFromTheCapture() {
    assertEquals(
        "no SYN reached the server's veth past its ingress program",
        PolicyChanges.explain(List.of(), List.of(), 1000));
    assertEquals(
        "2 SYNs: the first got no SYN-ACK; the client retransmitted after 1000 ms",
        PolicyChanges.explain(List.of(0.1, 1000.1), List.of(1000.3), 1001));
    assertEquals(
        "SYN passed; the pod's kernel sent the SYN-ACK 640 ms later",
        PolicyChanges.explain(List.of(0.1), List.of(640.1), 641));
    assertEquals(
        "SYN-ACK left the pod within 0 ms; the rest (400 ms) is on the way back to the client",
        PolicyChanges.explain(List.of(0.1), List.of(0.3), 400.3));
    assertEquals(
        "SYN passed; no SYN-ACK left the pod",
        PolicyChanges.explain(List.of(0.1), List.of(), 3000));
  }
}
