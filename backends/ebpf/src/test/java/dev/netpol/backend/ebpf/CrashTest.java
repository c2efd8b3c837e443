package dev.netpol.backend.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.backend.ebpf.internal.Pins;
import dev.netpol.backend.ebpf.internal.PodDatapath;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import dev.netpol.backend.ebpf.internal.rules.RuleCompiler;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.Interfaces;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * An agent SIGKILLed while programming a large update: the pod is never half-programmed (its trie
 * is filled before it is swapped in, and its record written after), the next agent takes the root
 * (the kernel dropped the dead one's lock) and converges.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class CrashTest {
  static final PodKey POD = new PodKey("crash", "big");

  /** The agent to kill: adopts the root, then programs the large policy. */
  public static void main(String[] args) throws Exception {
    EbpfBackend backend = new EbpfBackend(new EbpfBackend.Config(Path.of(args[0]), 0, 0));
    System.out.println("applying");
    backend.apply(endpoint(args[1]), big());
    System.out.println("applied");
    Thread.sleep(60_000);
  }

  static PodEndpoint endpoint(String link) {
    return new PodEndpoint(POD, List.of(Frames.ip("198.18.50.1")), link);
  }

  static PodPolicy small() {
    return new PodPolicy(
        new DirectionPolicy(
            true,
            List.of(
                new Rule(
                    List.of(Peer.of(Cidr.parse("198.18.0.0/16"))),
                    List.of(PortRange.single(Protocol.TCP, 80)),
                    "crash/small"))),
        DirectionPolicy.ALLOW_ALL);
  }

  static PodPolicy big() {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 120_000; i++) {
      peers.add(
          Peer.of(
              Cidr.parse("10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff) + "/32")));
    }
    return new PodPolicy(
        new DirectionPolicy(
            true,
            List.of(new Rule(peers, List.of(PortRange.single(Protocol.TCP, 443)), "crash/big"))),
        DirectionPolicy.ALLOW_ALL);
  }

  static int trieEntries(Pins pins, int ifindex) {
    try (BpfMap outer = BpfMap.openPinned(pins.global(Pins.POLICY));
        BpfMap inner = BpfMap.fromId(outer.innerMapId(PodDatapath.ifKey(ifindex)).orElseThrow())) {
      return inner.keys().size();
    }
  }

  static int compiledSize(PodPolicy p) {
    int n = 0;
    for (var d : dev.netpol.api.model.Direction.values()) {
      n += RuleCompiler.compile(p.direction(d), Abi.DIR_INGRESS, 1, "test").size();
    }
    return n;
  }

  @Test
  void killedMidUpdateLeavesNoHalfProgrammedPodAndConverges() throws Exception {
    TestRoot.sweepLeftovers();
    try (TestRoot root = new TestRoot()) {
      String link = root.dummy("k");
      int ifindex = Interfaces.index(link).orElseThrow();
      Pins pins = new Pins(root.pinRoot);
      try (EbpfBackend first = new EbpfBackend(new EbpfBackend.Config(root.pinRoot, 0, 0))) {
        first.apply(endpoint(link), small());
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      if (System.getProperty("netpol.bpf.dir") != null) {
        cmd.add("-Dnetpol.bpf.dir=" + System.getProperty("netpol.bpf.dir"));
      }
      cmd.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              CrashTest.class.getName(),
              root.pinRoot.toString(),
              link));
      Process agent = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.equals("applying")) {
        // SLF4J and JVM chatter
      }
      assertEquals("applying", line, "the agent started");
      var rest = new java.util.concurrent.CopyOnWriteArrayList<String>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  for (String l; (l = out.readLine()) != null; ) {
                    rest.add(l);
                  }
                } catch (java.io.IOException e) {
                  // killed
                }
              });
      reader.start();
      Thread.sleep(600); // compiling or filling the new trie
      boolean finished = rest.contains("applied");
      agent.destroyForcibly(); // SIGKILL
      agent.waitFor();
      reader.join(2000);

      try (EbpfBackend next = new EbpfBackend(new EbpfBackend.Config(root.pinRoot, 0, 0))) {
        String digest = next.programmed().get(POD).policyDigest();
        int entries = trieEntries(pins, ifindex);
        if (digest.equals(small().digest())) {
          assertFalse(finished);
          assertEquals(compiledSize(small()), entries, "the old policy, whole");
        } else {
          assertEquals(big().digest(), digest);
          assertEquals(compiledSize(big()), entries, "the new policy, whole");
        }
        assertTrue(next.health().healthy(), next.health().detail());
        next.apply(endpoint(link), big());
        assertEquals(big().digest(), next.programmed().get(POD).policyDigest(), "converged");
        assertEquals(compiledSize(big()), trieEntries(pins, ifindex));
        System.out.printf(
            "CrashTest: killed %s the update; the restarted agent converged%n",
            finished ? "after" : "in the middle of");
        next.release();
      }
    }
  }
}
