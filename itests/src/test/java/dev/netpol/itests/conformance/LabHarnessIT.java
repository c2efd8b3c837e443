package dev.netpol.itests.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.itests.conformance.ProbeTargets.Mode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The suite's own harness without netpol: nine wired pods, their agents and the matrix prober must
 * see every pair allowed over TCP, UDP and SCTP (IPv4 and IPv6), and must see a path the kernel
 * cannot deliver (the pod's host route removed, the blackhole catches it) as denied. Runs in about
 * 20 s.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabHarnessIT {
  private PodFabric fabric;
  private final Map<PodRef, PodFabric.Wired> wired = new HashMap<>();
  private final Map<PodRef, PodAgent> agents = new HashMap<>();
  private Path script;

  @BeforeAll
  void wire() throws Exception {
    fabric =
        new PodFabric(HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()));
    script = Files.createTempFile("npc-agent", ".py");
    try (InputStream in = LabHarnessIT.class.getResourceAsStream("/conformance/agent.py")) {
      Files.write(script, in.readAllBytes());
    }
    for (PodRef p : PodRef.ALL) {
      PodFabric.Wired w = fabric.wire(p);
      wired.put(p, w);
      agents.put(p, new PodAgent(w.netns(), p.toString(), script, LabCluster.PORTS, true));
    }
  }

  private MatrixProber prober(boolean ipv6) {
    return new MatrixProber(
        new ProbeTargets() {
          @Override
          public String target(PodRef to, Mode mode) {
            return mode == Mode.POD ? (ipv6 ? wired.get(to).ip6() : wired.get(to).ip4()) : null;
          }

          @Override
          public PodAgent agent(PodRef pod) {
            return agents.get(pod);
          }
        },
        400);
  }

  @ParameterizedTest(name = "{0}/{1} ipv6={2}")
  @CsvSource({
    "80,TCP,false",
    "81,UDP,false",
    "80,SCTP,false",
    "81,TCP,true",
    "80,UDP,true",
    "81,SCTP,true"
  })
  void seesOpenPathsAllowedAndUndeliverablePathsDenied(int port, Protocol proto, boolean ipv6) {
    try (MatrixProber prober = prober(ipv6)) {
      Reachability open = Reachability.allAllowed();
      long t0 = System.nanoTime();
      List<Reachability.Cell> wrong =
          open.wrongCells(prober.observe(Mode.POD, port, proto, open, 3000));
      assertEquals(List.of(), wrong, "all-open matrix");
      assertTrue(
          System.nanoTime() - t0 < 3_000_000_000L, "an all-open matrix takes well under 3 s");

      PodFabric.Wired xa = wired.get(PodRef.of("x/a"));
      String route = ipv6 ? xa.ip6() + "/128" : xa.ip4() + "/32";
      String[] fam = ipv6 ? new String[] {"ip", "-6"} : new String[] {"ip"};
      Sh.ok(concat(fam, "route", "del", route, "dev", xa.hostVeth()));
      try {
        // nothing reaches x/a; TCP and UDP from x/a fail too (no way back), a one-way SCTP INIT
        // still arrives
        Reachability cut = Reachability.allAllowed().expectAllIngress("x/a", false);
        if (proto != Protocol.SCTP) {
          cut.expectAllEgress("x/a", false);
        }
        assertEquals(
            List.of(),
            cut.wrongCells(prober.observe(Mode.POD, port, proto, cut, 3000)),
            "x/a unreachable while its host route is gone");
      } finally {
        Sh.ok(concat(fam, "route", "replace", route, "dev", xa.hostVeth()));
      }
    }
  }

  private static String[] concat(String[] head, String... tail) {
    String[] out = new String[head.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  @AfterAll
  void unwire() throws Exception {
    agents.values().forEach(PodAgent::close);
    if (fabric != null) {
      fabric.close();
    }
    Files.deleteIfExists(script);
  }
}
