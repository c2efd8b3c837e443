package dev.netpol.backend.ebpf;

import static dev.netpol.backend.ebpf.Frames.TCP;
import static dev.netpol.backend.ebpf.Frames.ip;
import static dev.netpol.backend.ebpf.Frames.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.BpfProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * ns per packet through BPF_PROG_RUN for 10 .. 50k peers in one pod's trie: a new flow (full
 * evaluation: META, ADDR and PORT lookups, denied at the port so no conntrack insert, one event)
 * and an established flow (one conntrack hit plus the generation read). Run with -Pbench; writes
 * target/bench/prog-run.csv.
 */
@EnabledIfSystemProperty(named = "netpol.bench", matches = "true")
class ProgRunBenchmark {
  @Test
  void measure() throws Exception {
    TestRoot.sweepLeftovers();
    StringBuilder csv =
        new StringBuilder("peers,trie_entries,new_flow_ns,established_ns,apply_ms\n");
    try (TestRoot root = new TestRoot();
        EbpfBackend backend = new EbpfBackend(new EbpfBackend.Config(root.pinRoot, 1, 0))) {
      String ifname = root.dummy("bn");
      for (int peers : new int[] {10, 100, 1000, 10_000, 50_000}) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
          int host = 1 + i * 2; // 198.18.0.0/15 holds 131k addresses; every other one is a peer
          String addr =
              "198." + (18 + (host >> 16)) + "." + ((host >> 8) & 0xff) + "." + (host & 0xff);
          rules.add(
              new Rule(
                  List.of(Peer.of(Cidr.parse(addr + "/32"))),
                  List.of(
                      PortRange.single(Protocol.TCP, 80 + (i % 7)),
                      new PortRange(Protocol.TCP, 8000, 8999)),
                  "bench/p" + (i % 50)));
        }
        PodKey key = new PodKey("bench", "p" + peers);
        long t0 = System.nanoTime();
        backend.apply(
            new PodEndpoint(key, List.of(ip("198.18.20.10")), ifname),
            new PodPolicy(new DirectionPolicy(true, rules), DirectionPolicy.ALLOW_ALL));
        long applyMs = (System.nanoTime() - t0) / 1_000_000;
        Pins pins = new Pins(root.pinRoot);
        int ifindex = dev.netpol.ebpf.sdk.Interfaces.index(ifname).orElseThrow();
        int entries;
        try (BpfMap outer = BpfMap.openPinned(pins.global(Pins.POLICY));
            BpfMap inner =
                BpfMap.fromId(
                    outer
                        .innerMapId(dev.netpol.backend.ebpf.internal.PodDatapath.ifKey(ifindex))
                        .orElseThrow())) {
          entries = inner.keys().size();
        }
        int mid = 1 + (peers / 2) * 2;
        String peer = "198." + (18 + (mid >> 16)) + "." + ((mid >> 8) & 0xff) + "." + (mid & 0xff);
        try (BpfProgram prog = BpfProgram.openPinned(pins.global(Pins.PROG_INGRESS))) {
          byte[] denied = v4(peer, "198.18.20.10", TCP, 40000, 9999);
          byte[] allowed = v4(peer, "198.18.20.10", TCP, 40001, 8500);
          assertEquals(2, prog.testRun(denied, 1, ifindex).retval());
          assertEquals(0, prog.testRun(allowed, 1, ifindex).retval());
          prog.testRun(denied, 20_000, ifindex);
          prog.testRun(allowed, 200_000, ifindex);
          long newFlow = prog.testRun(denied, 20_000, ifindex).averageNanos();
          long established = prog.testRun(allowed, 200_000, ifindex).averageNanos();
          csv.append(peers)
              .append(',')
              .append(entries)
              .append(',')
              .append(newFlow)
              .append(',')
              .append(established)
              .append(',')
              .append(applyMs)
              .append('\n');
        }
        backend.remove(key);
      }
    }
    Path out = Path.of("target", "bench", "prog-run.csv");
    Files.createDirectories(out.getParent());
    Files.writeString(out, csv);
    System.out.println(csv);
  }
}
