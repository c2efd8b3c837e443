package dev.netpol.policyendpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeLabelsTest {
  @Test
  void shortNamesAreKeptAsTheyAre() {
    assertEquals(
        "node.policy.netpol.dev/ip-10-0-1-5.ec2.internal",
        NodeLabels.keyFor("ip-10-0-1-5.ec2.internal"));
  }

  @Test
  void longNamesAreHashedToAValidStableKey() {
    String longName = "node-" + "a".repeat(70) + ".example.com";
    String key = NodeLabels.keyFor(longName);
    String name = key.substring(NodeLabels.PREFIX.length());
    assertTrue(name.length() <= 63, name);
    assertTrue(name.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"), name);
    assertEquals(key, NodeLabels.keyFor(longName));
    assertNotEquals(key, NodeLabels.keyFor(longName + "x"));
    // two names sharing the first 50 characters still get different keys
    assertNotEquals(NodeLabels.keyFor("b".repeat(70)), NodeLabels.keyFor("b".repeat(71)));
  }
}
