package dev.netpol.backend.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodDesiredState;
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
import dev.netpol.backend.ebpf.internal.TcFilters;
import dev.netpol.backend.ebpf.internal.abi.PodInfo;
import dev.netpol.backend.testlab.PodLab;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.BpfProgram;
import dev.netpol.ebpf.sdk.Interfaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A node with 110 pods (the kubelet default maximum) programmed from nothing in one batch, as the
 * agent hands them over: the programs are loaded and verified once, every pod is map entries plus
 * two tc filters, and the rule tries go into np_policy in one update. Prints the time (and writes
 * it to target/bench/cold-node.txt; a figure, not an assertion), then checks that a restarted agent
 * adopts all of it without rewriting, and that release() leaves nothing.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class ColdNodeTest {
  static final int PODS = 110;

  @Test
  void oneHundredTenPodsFromNothingThenRestartThenRelease() throws Exception {
    TestRoot.sweepLeftovers();
    try (TestRoot root = new TestRoot()) {
      StringBuilder batch = new StringBuilder();
      for (int i = 0; i < PODS; i++) {
        String name = root.prefix + "c" + i;
        batch.append("link add ").append(name).append(" type veth peer name ").append(name);
        batch.append("p\nlink set ").append(name).append(" up\n");
      }
      Path script = Files.createTempFile(root.prefix, ".ip");
      Files.writeString(script, batch);
      PodLab.sh("ip", "-batch", script.toString());
      Files.delete(script);
      List<PodEndpoint> pods = new ArrayList<>();
      for (int i = 0; i < PODS; i++) {
        pods.add(
            new PodEndpoint(
                new PodKey("cold", "p" + i),
                List.of(Frames.ip("198.18.60." + (i + 1))),
                root.prefix + "c" + i));
      }
      EbpfBackend.Config config = new EbpfBackend.Config(root.pinRoot, 0, 0);
      List<PodDesiredState> desired = new ArrayList<>();
      for (int i = 0; i < PODS; i++) {
        desired.add(new PodDesiredState(pods.get(i), policy(i)));
      }
      // as the agent's worker hands them over: all pending pods in one call; one of them cannot
      // be programmed (no such interface), which must not keep the others out
      PodKey missing = new PodKey("cold", "missing");
      desired.add(
          new PodDesiredState(
              new PodEndpoint(missing, List.of(Frames.ip("198.18.61.1")), root.prefix + "none"),
              policy(0)));
      long t0 = System.nanoTime();
      EbpfBackend backend = new EbpfBackend(config);
      Map<PodKey, EnforcementException> failed = backend.applyAll(desired);
      long coldMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(Set.of(missing), failed.keySet(), failed.toString());
      assertTrue(failed.get(missing).getMessage().contains("not found"), failed.toString());
      assertTrue(backend.health().healthy(), backend.health().detail());
      assertEquals(PODS, backend.programmed().size());
      // pods of one batch each got a trie of their own and a counter slot of their own
      Set<Integer> slots = new HashSet<>();
      Set<Integer> tries = new HashSet<>();
      Pins pins = new Pins(root.pinRoot);
      try (BpfMap records = BpfMap.openPinned(pins.global(Pins.PODS));
          BpfMap policies = BpfMap.openPinned(pins.global(Pins.POLICY))) {
        for (BpfMap.Entry e : records.entries()) {
          slots.add(PodInfo.decode(e.value()).slot());
          tries.add(policies.innerMapId(e.key()).orElseThrow());
        }
      }
      assertEquals(PODS, slots.size(), "distinct counter slots: " + slots);
      assertEquals(PODS, tries.size(), "distinct rule tries");
      int ingressId;
      try (BpfProgram p = BpfProgram.openPinned(new Pins(root.pinRoot).global(Pins.PROG_INGRESS))) {
        ingressId = p.id();
      }
      for (PodEndpoint p : pods) {
        assertEquals(
            ingressId,
            TcFilters.attachedProgramId(
                Interfaces.index(p.hostInterface()).orElseThrow(), TcFilters.Hook.EGRESS),
            "one program for the whole node: " + p.key());
      }

      // the agent restarts: everything adopted, nothing rewritten
      int gen = backend.programmedGeneration(pods.get(7).key());
      backend.close();
      long t1 = System.nanoTime();
      backend = new EbpfBackend(config);
      for (int i = 0; i < PODS; i++) {
        backend.apply(pods.get(i), policy(i));
      }
      long resyncMs = (System.nanoTime() - t1) / 1_000_000;
      assertEquals(gen, backend.programmedGeneration(pods.get(7).key()), "not rewritten");
      try (BpfProgram p = BpfProgram.openPinned(new Pins(root.pinRoot).global(Pins.PROG_INGRESS))) {
        assertEquals(ingressId, p.id(), "not reloaded");
      }

      String figure =
          String.format(
              "cold node: %d pods programmed from nothing in %d ms (programs loaded once);"
                  + " restarted agent re-synced them in %d ms%n",
              PODS, coldMs, resyncMs);
      System.out.print(figure);
      Path out = Path.of("target", "bench", "cold-node.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, figure);

      backend.release();
      backend.close();
      for (PodEndpoint p : pods) {
        int ifindex = Interfaces.index(p.hostInterface()).orElseThrow();
        assertEquals(0, TcFilters.attachedProgramId(ifindex, TcFilters.Hook.EGRESS));
        assertEquals(0, TcFilters.attachedProgramId(ifindex, TcFilters.Hook.INGRESS));
      }
      assertFalse(Files.exists(root.pinRoot), "release leaves no pin and no directory");
    }
  }

  /** A typical pod: ingress from a few namespaces' CIDRs on two ports, egress to DNS and a CIDR. */
  static PodPolicy policy(int i) {
    List<Rule> in = new ArrayList<>();
    for (int r = 0; r < 5; r++) {
      in.add(
          new Rule(
              List.of(
                  Peer.of(Cidr.parse("198.18." + (60 + r) + ".0/24")),
                  Peer.of(Cidr.parse("198.19." + ((i + r) % 250) + ".0/24"))),
              List.of(
                  PortRange.single(Protocol.TCP, 8080), new PortRange(Protocol.TCP, 9000, 9100)),
              "cold/np" + r));
    }
    List<Rule> out =
        List.of(
            new Rule(
                List.of(Peer.of(Cidr.parse("198.18.0.10/32"))),
                List.of(PortRange.single(Protocol.UDP, 53), PortRange.single(Protocol.TCP, 53)),
                "cold/dns"),
            new Rule(List.of(Peer.of(Cidr.parse("198.18.64.0/18"))), List.of(), "cold/backend"));
    return new PodPolicy(new DirectionPolicy(true, in), new DirectionPolicy(true, out));
  }
}
