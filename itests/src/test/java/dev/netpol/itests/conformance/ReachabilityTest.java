package dev.netpol.itests.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReachabilityTest {
  private static int denied(Reachability r) {
    int n = 0;
    for (PodRef f : PodRef.ALL) {
      for (PodRef t : PodRef.ALL) {
        n += r.expected(f, t) ? 0 : 1;
      }
    }
    return n;
  }

  @Test
  void peerWildcardsMatchNamespaceAndPod() {
    assertEquals(27, denied(Reachability.allAllowed().expectPeer(Peer.any(), Peer.ns("x"), false)));
    assertEquals(
        9,
        denied(
            Reachability.allAllowed()
                .expectPeer(Peer.ns("x"), Peer.pod("y", "b"), false)
                .expectPeer(Peer.ns("z"), Peer.pod("y", "b"), false)
                .expectPeer(Peer.ns("y"), Peer.pod("y", "b"), false)));
    Reachability r =
        Reachability.allAllowed()
            .expectPeer(Peer.pod("x", "a"), Peer.any(), false)
            .expectPeer(Peer.pod("x", "a"), Peer.pod("y", "a"), true);
    assertEquals(8, denied(r));
    assertTrue(r.expected(PodRef.of("x/a"), PodRef.of("y/a")));
    assertFalse(r.expected(PodRef.of("x/a"), PodRef.of("x/a")));
  }

  @Test
  void allIngressIsAColumnAndAllEgressARow() {
    Reachability r = Reachability.allAllowed().expectAllIngress("x/a", false);
    assertEquals(9, denied(r));
    assertFalse(r.expected(PodRef.of("z/c"), PodRef.of("x/a")));
    assertTrue(r.expected(PodRef.of("x/a"), PodRef.of("z/c")));
    r.expectAllEgress("x/a", false);
    assertEquals(17, denied(r));
    r.expect("x/b", "x/a", true);
    assertEquals(16, denied(r));
  }

  @Test
  void wrongCellsIgnoreLoopbackAndCountMissingObservations() {
    Reachability r = Reachability.allAllowed().expect("x/b", "x/a", false);
    Boolean[][] seen = new Boolean[9][9];
    for (PodRef[] p : Reachability.judgedPairs()) {
      seen[p[0].index()][p[1].index()] = true;
    }
    seen[0][0] = false; // loopback: never judged
    assertEquals(
        List.of(new Reachability.Cell(PodRef.of("x/b"), PodRef.of("x/a"), false, true)),
        r.wrongCells(seen));
    seen[1][0] = false;
    seen[8][7] = null;
    assertEquals("z/c->z/b expected allow observed nothing", r.wrongCells(seen).get(0).toString());
    assertEquals(72, Reachability.judgedPairs().size());
  }

  @Test
  void tablesUseUpstreamsLayout() {
    String t = Reachability.allAllowed().expectAllIngress("x/a", false).table();
    String[] lines = t.split("\n");
    assertEquals("-\tx/a\tx/b\tx/c\ty/a\ty/b\ty/c\tz/a\tz/b\tz/c", lines[0]);
    assertEquals("x/b\tX\t-\t.\t.\t.\t.\t.\t.\t.", lines[2]);
  }

  @Test
  void badPodReferencesAreNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PodRef.of("w/a"));
    assertTrue(e.getMessage().contains("'w/a'"));
  }
}
