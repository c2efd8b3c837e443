package dev.netpol.backend.ebpf;

import static dev.netpol.backend.ebpf.Frames.*;
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
import dev.netpol.backend.ebpf.internal.abi.CtKey;
import dev.netpol.backend.testlab.PodLab;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.BpfProgram;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The datapath run through BPF_PROG_RUN on synthetic frames, with rules programmed by the real
 * backend (filters sit on a dummy interface; no traffic crosses it). Fast, no namespaces.
 */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class ProgRunTest {
  static final int OK = 0;
  static final int SHOT = 2;
  static final String POD4 = "198.18.20.10";
  static final String POD6 = "fd00:198:18:20::10";

  static TestRoot root;
  static EbpfBackend backend;
  static String dummy;
  static int pods;

  PodKey pod;
  BpfProgram ingress;
  BpfProgram egress;

  @BeforeAll
  static void setUp() {
    TestRoot.sweepLeftovers();
    root = new TestRoot();
    dummy = root.dummy("pr");
    backend = new EbpfBackend(new EbpfBackend.Config(root.pinRoot, 0, 0));
  }

  @AfterAll
  static void tearDown() {
    if (backend != null) {
      backend.close();
    }
    root.close();
  }

  @BeforeEach
  void clearConntrack() {
    // every test runs its packets on the same dummy interface, so tests would share flows
    for (String map : List.of("np_conntrack", "np_counters", "np_frags")) {
      var p = root.pinRoot.resolve("global/" + map);
      if (java.nio.file.Files.exists(p)) {
        try (BpfMap m = BpfMap.openPinned(p)) {
          m.keys().forEach(m::delete);
        }
      }
    }
  }

  void program(DirectionPolicy in, DirectionPolicy out) throws Exception {
    if (pod == null) {
      pod = new PodKey("prog-run", "pod" + (pods++));
    }
    backend.apply(new PodEndpoint(pod, List.of(ip(POD4), ip(POD6)), dummy), new PodPolicy(in, out));
    var pins = new Pins(root.pinRoot);
    if (ingress == null) {
      ingress = BpfProgram.openPinned(pins.global(Pins.PROG_INGRESS));
      egress = BpfProgram.openPinned(pins.global(Pins.PROG_EGRESS));
    }
  }

  static int dummyIndex() {
    return dev.netpol.ebpf.sdk.Interfaces.index(dummy).orElseThrow();
  }

  /** Runs the programs as on the dummy: they find the pod's state by the packet's interface. */
  int in(byte[] frame) {
    return ingress.testRun(frame, 1, dummyIndex()).retval();
  }

  int out(byte[] frame) {
    return egress.testRun(frame, 1, dummyIndex()).retval();
  }

  static Rule rule(String cidr, PortRange... ports) {
    return new Rule(List.of(Peer.of(Cidr.parse(cidr))), List.of(ports), "ns/" + cidr);
  }

  static DirectionPolicy isolated(Rule... rules) {
    return new DirectionPolicy(true, List.of(rules));
  }

  @Test
  void cidrAndPortDecideIngress() throws Exception {
    program(
        isolated(rule("198.18.20.0/28", PortRange.single(Protocol.TCP, 80))),
        DirectionPolicy.ALLOW_ALL);
    assertEquals(OK, in(v4("198.18.20.5", POD4, TCP, 1234, 80)));
    assertEquals(SHOT, in(v4("198.18.20.5", POD4, TCP, 1234, 81)));
    assertEquals(SHOT, in(v4("198.18.20.17", POD4, TCP, 1234, 80)));
    assertEquals(SHOT, in(v4("198.18.20.5", POD4, UDP, 1234, 80)), "protocol must match");
    assertEquals(OK, out(v4(POD4, "198.18.99.1", UDP, 5000, 53)), "egress not isolated");
  }

  @Test
  void repliesOfAllowedFlowsPass() throws Exception {
    program(
        DirectionPolicy.DENY_ALL,
        isolated(rule("198.18.20.128/25", PortRange.single(Protocol.TCP, 443))));
    assertEquals(
        SHOT, in(v4("198.18.20.200", POD4, TCP, 443, 40000)), "no flow yet: ingress denies");
    assertEquals(OK, out(v4(POD4, "198.18.20.200", TCP, 40000, 443)));
    assertEquals(OK, in(v4("198.18.20.200", POD4, TCP, 443, 40000)), "reply of the allowed flow");
    assertEquals(SHOT, in(v4("198.18.20.200", POD4, TCP, 443, 40001)), "other tuple still denied");
    assertEquals(SHOT, out(v4(POD4, "198.18.20.20", TCP, 40000, 443)));
  }

  @Test
  void exceptStaysInsideItsRule() throws Exception {
    Rule a =
        new Rule(
            List.of(new Peer(Cidr.parse("0.0.0.0/0"), List.of(Cidr.parse("198.18.0.0/16")))),
            List.of(),
            "ns/a");
    Rule b = rule("0.0.0.0/0", PortRange.single(Protocol.TCP, 443));
    program(isolated(a, b), DirectionPolicy.ALLOW_ALL);
    assertEquals(
        OK,
        in(v4("198.18.20.7", POD4, TCP, 1000, 443)),
        "rule B allows 443 from the excepted block");
    assertEquals(
        SHOT, in(v4("198.18.20.7", POD4, TCP, 1000, 22)), "rule A excepts it for other ports");
    assertEquals(
        OK,
        in(v4("198.19.0.1", POD4, TCP, 1000, 22)),
        "rule A allows everything outside the except");
    assertEquals(OK, in(v4("198.19.0.1", POD4, ICMP, 8, 0)));
    assertEquals(SHOT, in(v4("198.18.0.1", POD4, ICMP, 8, 0)));
  }

  @Test
  void moreThan24PortsOnOneCidr() throws Exception {
    List<PortRange> ports = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ports.add(PortRange.single(Protocol.TCP, 8000 + 3 * i));
    }
    program(
        isolated(new Rule(List.of(Peer.of(Cidr.parse("198.18.20.0/24"))), ports, "ns/many")),
        DirectionPolicy.ALLOW_ALL);
    for (int i = 0; i < 40; i++) {
      assertEquals(
          OK, in(v4("198.18.20.1", POD4, TCP, 2000 + i, 8000 + 3 * i)), "port " + (8000 + 3 * i));
      assertEquals(
          SHOT, in(v4("198.18.20.1", POD4, TCP, 3000 + i, 8001 + 3 * i)), "port " + (8001 + 3 * i));
    }
  }

  @Test
  void endPortRangeBoundaries() throws Exception {
    program(
        isolated(
            rule(
                "198.18.20.0/24",
                new PortRange(Protocol.UDP, 1000, 2047),
                new PortRange(Protocol.SCTP, 7, 9))),
        DirectionPolicy.ALLOW_ALL);
    assertEquals(SHOT, in(v4("198.18.20.1", POD4, UDP, 5, 999)));
    assertEquals(OK, in(v4("198.18.20.1", POD4, UDP, 5, 1000)));
    assertEquals(OK, in(v4("198.18.20.1", POD4, UDP, 5, 1500)));
    assertEquals(OK, in(v4("198.18.20.1", POD4, UDP, 5, 2047)));
    assertEquals(SHOT, in(v4("198.18.20.1", POD4, UDP, 5, 2048)));
    assertEquals(OK, in(v4("198.18.20.1", POD4, SCTP, 5, 9)));
    assertEquals(SHOT, in(v4("198.18.20.1", POD4, SCTP, 5, 10)));
  }

  @Test
  void ipv4OptionsAndFragments() throws Exception {
    program(
        isolated(
            rule("198.18.20.0/24", PortRange.single(Protocol.UDP, 53)),
            rule("198.18.21.0/24", PortRange.allPorts(Protocol.UDP))),
        DirectionPolicy.ALLOW_ALL);
    assertEquals(
        OK,
        in(v4("198.18.20.1", POD4, UDP, l4(UDP, 9, 53, 0), 3, 0, false)),
        "IHL 8: ports after the options");
    assertEquals(SHOT, in(v4("198.18.20.1", POD4, UDP, l4(UDP, 53, 9, 0), 3, 0, false)));
    assertEquals(
        OK,
        in(v4("198.18.20.1", POD4, UDP, l4(UDP, 9, 53, 0), 0, 0, true)),
        "first fragment has ports");
    assertEquals(
        OK,
        in(v4("198.18.20.1", POD4, UDP, new byte[16], 0, 100, false)),
        "later fragment of that packet (same id): decided with the first fragment's ports");
    assertEquals(
        SHOT,
        in(withId(v4("198.18.20.1", POD4, UDP, new byte[16], 0, 100, false), 8)),
        "later fragment whose first was not seen, port rule");
    assertEquals(SHOT, in(withId(v4("198.18.20.1", POD4, UDP, l4(UDP, 9, 54, 0), 0, 0, true), 9)));
    assertEquals(
        SHOT,
        in(withId(v4("198.18.20.1", POD4, UDP, new byte[16], 0, 100, false), 9)),
        "later fragment of a denied first fragment");
    assertEquals(
        OK,
        in(v4("198.18.21.1", POD4, UDP, new byte[16], 0, 100, false)),
        "later fragment, all-ports rule");
  }

  @Test
  void ipv6ExtensionHeadersAndNeighbourDiscovery() throws Exception {
    program(
        isolated(
            rule(
                "fd00:198:18:20::/64",
                PortRange.single(Protocol.TCP, 8080),
                PortRange.allPorts(Protocol.UDP))),
        DirectionPolicy.DENY_ALL);
    String peer = "fd00:198:18:20::99";
    assertEquals(OK, in(v6(peer, POD6, TCP, 1111, 8080)));
    assertEquals(SHOT, in(v6(peer, POD6, TCP, 1111, 8081)));
    assertEquals(
        OK,
        in(v6(peer, POD6, TCP, l4(TCP, 1112, 8080, TCP_SYN), 0, 60, 43)),
        "hop-by-hop, dest opts, routing");
    assertEquals(SHOT, in(v6(peer, POD6, TCP, l4(TCP, 1112, 8081, TCP_SYN), 0, 60, 43)));
    assertEquals(OK, in(v6(peer, POD6, TCP, l4(TCP, 1113, 8080, TCP_SYN), 44)), "first fragment");
    assertEquals(SHOT, in(v6LaterFragment(peer, POD6, TCP, 10)), "later fragment, port rule");
    assertEquals(OK, in(v6LaterFragment(peer, POD6, UDP, 10)), "later fragment, all-ports rule");
    assertEquals(SHOT, in(v6("fd00:198:18:21::1", POD6, TCP, 1111, 8080)));
    for (int type = 133; type <= 136; type++) {
      assertEquals(
          OK,
          out(v6(POD6, "fd00:198:18:20::1", ICMPV6, type, 0)),
          "ND type " + type + " passes deny-all");
      assertEquals(OK, in(v6("fe80::1", POD6, ICMPV6, type, 0)));
    }
    assertEquals(
        SHOT,
        out(v6(POD6, "fd00:198:18:20::1", ICMPV6, 128, 0)),
        "echo request is policy's business");
    assertEquals(
        SHOT,
        in(v6(peer, POD6, TCP, l4(TCP, 1, 8080, 2), 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        "too many extension headers");
  }

  @Test
  void nonIsolatedAllowsAndDenyAllDrops() throws Exception {
    program(DirectionPolicy.ALLOW_ALL, DirectionPolicy.DENY_ALL);
    assertEquals(OK, in(v4("198.18.77.1", POD4, TCP, 1, 2)));
    assertEquals(OK, in(v4("198.18.77.1", POD4, ICMP, 8, 0)));
    assertEquals(SHOT, out(v4(POD4, "198.18.77.1", TCP, 3, 4)));
    assertEquals(
        OK,
        out(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1}),
        "ARP passes");
  }

  /**
   * The established fast path trusts the pod record's generation only while its trie is in force:
   * with no record (a crash between the trie swap and the record write) flows are decided by the
   * trie's own generation, and a record lagging one change behind its trie (the moment between the
   * two writes) never marks a flow as checked under rules it was not checked against.
   */
  @Test
  void establishedFlowsFollowTheTrieWhenTheRecordLagsOrIsMissing() throws Exception {
    program(
        DirectionPolicy.DENY_ALL,
        isolated(rule("198.18.20.0/24", PortRange.single(Protocol.TCP, 5432))));
    byte[] fwd = v4(POD4, "198.18.20.40", TCP, l4(TCP, 50000, 5432, TCP_ACK), 0, 0, false);
    byte[] rev = v4("198.18.20.40", POD4, TCP, l4(TCP, 5432, 50000, TCP_ACK), 0, 0, false);
    byte[] other = v4(POD4, "198.18.30.5", TCP, l4(TCP, 50001, 80, TCP_ACK), 0, 0, false);
    assertEquals(OK, out(fwd));
    assertEquals(OK, in(rev));
    byte[] ifk = dev.netpol.backend.ebpf.internal.PodDatapath.ifKey(dummyIndex());
    try (BpfMap records = BpfMap.openPinned(root.pinRoot.resolve("global/np_pods"))) {
      byte[] before = records.get(ifk).orElseThrow();
      records.delete(ifk);
      assertEquals(OK, out(fwd), "no record: decided by the trie's generation (unchanged)");
      assertEquals(OK, in(rev));
      records.put(ifk, before);
      program(DirectionPolicy.DENY_ALL, isolated(rule("198.18.30.0/24")));
      byte[] after = records.get(ifk).orElseThrow();
      records.put(ifk, before); // as between the trie swap and the record write
      assertEquals(OK, out(fwd), "record not written yet: passes as a moment before the swap");
      assertEquals(OK, out(other), "a new flow is decided by the new trie");
      assertEquals(OK, out(other), "... and passes on by the trie's generation");
      records.put(ifk, after);
      assertEquals(SHOT, out(fwd), "record written: the flow is re-checked and cut");
      assertEquals(SHOT, in(rev));
      assertEquals(OK, out(other));
      records.delete(ifk);
      assertEquals(SHOT, in(rev), "no record: still revoked by the trie's generation");
      assertEquals(OK, out(other));
      records.put(ifk, after);
    }
  }

  @Test
  void revocationCutsEstablishedFlow() throws Exception {
    DirectionPolicy allow = isolated(rule("198.18.20.0/24", PortRange.single(Protocol.TCP, 5432)));
    program(DirectionPolicy.DENY_ALL, allow);
    byte[] fwd = v4(POD4, "198.18.20.40", TCP, l4(TCP, 50000, 5432, TCP_ACK), 0, 0, false);
    byte[] rev = v4("198.18.20.40", POD4, TCP, l4(TCP, 5432, 50000, TCP_ACK), 0, 0, false);
    assertEquals(OK, out(fwd));
    assertEquals(OK, in(rev));
    program(
        DirectionPolicy.DENY_ALL,
        isolated(
            rule("198.18.20.0/24", PortRange.single(Protocol.TCP, 5432)), rule("198.18.30.0/24")));
    assertEquals(OK, out(fwd), "still allowed under the new generation");
    assertEquals(OK, in(rev));
    program(DirectionPolicy.DENY_ALL, isolated(rule("198.18.30.0/24")));
    assertEquals(SHOT, in(rev), "reply of a revoked flow is cut too");
    assertEquals(SHOT, out(fwd), "flow is cut");
    try (BpfMap ct = BpfMap.openPinned(root.pinRoot.resolve("global/np_conntrack"))) {
      var entry =
          ct.keys().stream().filter(k -> CtKey.decode(k).dport() == 5432).findFirst().orElseThrow();
      assertTrue(
          dev.netpol.backend.ebpf.internal.abi.CtValue.decode(ct.get(entry).orElseThrow())
              .revoked(),
          "entry kept as revoked");
    }
    program(DirectionPolicy.DENY_ALL, isolated(rule("198.18.30.0/24"), rule("198.18.20.40/32")));
    assertEquals(OK, out(fwd), "allowed again after the next change");
    assertEquals(OK, in(rev));
    try (BpfMap ct = BpfMap.openPinned(root.pinRoot.resolve("global/np_conntrack"))) {
      assertEquals(1, ct.keys().size());
    }
  }

  @Test
  void establishedFlowsAreRecordedPerInterface() throws Exception {
    program(DirectionPolicy.DENY_ALL, DirectionPolicy.ALLOW_ALL);
    assertEquals(OK, out(v4(POD4, "198.18.20.50", UDP, 7000, 7001)));
    try (BpfMap ct = BpfMap.openPinned(root.pinRoot.resolve("global/np_conntrack"))) {
      List<CtKey> keys = ct.keys().stream().map(CtKey::decode).toList();
      assertEquals(1, keys.size());
      assertEquals(dummyIndex(), keys.get(0).ifindex(), "flows are recorded per interface");
      assertEquals(7000, keys.get(0).sport());
    }
    assertTrue(backend.collectConntrack() == 0, "fresh entry survives GC");
  }

  @Test
  void cliReadsEverythingFromThePins() throws Exception {
    program(
        isolated(rule("198.18.20.0/24", PortRange.single(Protocol.TCP, 80))),
        DirectionPolicy.ALLOW_ALL);
    assertEquals(OK, in(v4("198.18.20.5", POD4, TCP, 1234, 80)));
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    EbpfCli cli = new EbpfCli();
    String root = ProgRunTest.root.pinRoot.toString();
    assertEquals(
        0,
        cli.run(
            List.of("--root", root, "loaded"),
            new java.io.PrintStream(out),
            new java.io.PrintStream(err)),
        err.toString());
    assertTrue(out.toString().contains(pod + "\t" + dummy), out.toString());
    out.reset();
    assertEquals(
        0,
        cli.run(
            List.of("--root", root, "progs"),
            new java.io.PrintStream(out),
            new java.io.PrintStream(err)));
    assertTrue(out.toString().contains(pod + "\tingress\t"), out.toString());
    assertFalse(out.toString().contains("attached:"), "the filter runs the pinned program");
    out.reset();
    assertEquals(
        0,
        cli.run(
            List.of("--root", root, "maps"),
            new java.io.PrintStream(out),
            new java.io.PrintStream(err)));
    String maps = out.toString();
    String ruleMapId =
        maps.lines()
            .filter(l -> l.contains("rules of " + pod))
            .findFirst()
            .orElseThrow()
            .split("\t")[0];
    out.reset();
    assertEquals(
        0,
        cli.run(
            List.of("--root", root, "dump-map", ruleMapId),
            new java.io.PrintStream(out),
            new java.io.PrintStream(err)));
    assertTrue(out.toString().contains("ADDR 198.18.20.0/24 class=1"), out.toString());
    assertTrue(out.toString().contains("PORT class=1 proto=6 port=80/16 allow"), out.toString());
    out.reset();
    assertEquals(
        0,
        cli.run(
            List.of("--root", root, "conntrack"),
            new java.io.PrintStream(out),
            new java.io.PrintStream(err)));
    assertTrue(out.toString().contains("198.18.20.5:1234 -> 198.18.20.10:80"), out.toString());
    assertEquals(
        2,
        cli.run(
            List.of("--root", root, "bogus"),
            new java.io.PrintStream(out),
            new java.io.PrintStream(err)));
  }

  /**
   * The pruning of pods whose interface vanished and apply run under one lock: a pod programmed
   * again on a re-created interface while the prune runs is never removed by it.
   */
  @Test
  void pruneNeverRemovesAPodProgrammedAgainOnANewInterface() throws Exception {
    PodKey p = new PodKey("prune-race", "p");
    PodPolicy policy =
        new PodPolicy(
            isolated(rule("198.18.20.0/24", PortRange.single(Protocol.TCP, 80))),
            DirectionPolicy.ALLOW_ALL);
    String link = root.dummy("rc");
    backend.apply(new PodEndpoint(p, List.of(ip("198.18.20.77")), link), policy);
    for (int round = 0; round < 12; round++) {
      PodLab.sh("ip", "link", "del", link);
      root.dummy("rc"); // same name, new ifindex: the pinned record now names a vanished index
      var start = new java.util.concurrent.CyclicBarrier(2);
      var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
      Thread pruner =
          new Thread(
              () -> {
                try {
                  start.await();
                  backend.pruneVanishedPods();
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      pruner.start();
      start.await();
      backend.apply(new PodEndpoint(p, List.of(ip("198.18.20.77")), link), policy);
      pruner.join();
      assertEquals(null, failure.get());
      assertTrue(
          backend.programmed().containsKey(p),
          "round " + round + ": the re-programmed pod is kept");
      assertFalse(
          backend.health().detail().contains(p.toString()),
          "its filters run its programs: " + backend.health());
    }
    backend.remove(p);
  }

  @Test
  void conntrackGcDropsIdleAndClosingEntriesOnly() throws Exception {
    program(DirectionPolicy.DENY_ALL, DirectionPolicy.ALLOW_ALL);
    long now = System.nanoTime();
    byte[] a4 = ip("198.18.20.60").getAddress();
    byte[] pod = ip(POD4).getAddress();
    var fresh = new dev.netpol.backend.ebpf.internal.abi.CtKey(1, 4, 6, 1000, 80, pod, a4);
    var idle = new dev.netpol.backend.ebpf.internal.abi.CtKey(1, 4, 6, 1001, 80, pod, a4);
    var closed = new dev.netpol.backend.ebpf.internal.abi.CtKey(1, 4, 6, 1002, 80, pod, a4);
    var udp = new dev.netpol.backend.ebpf.internal.abi.CtKey(1, 4, 17, 1003, 53, pod, a4);
    try (BpfMap ct = BpfMap.openPinned(root.pinRoot.resolve("global/np_conntrack"))) {
      ct.put(
          fresh.encode(),
          new dev.netpol.backend.ebpf.internal.abi.CtValue(
                  now - 3_600_000_000_000L, 1, 1, false, false)
              .encode());
      ct.put(
          idle.encode(),
          new dev.netpol.backend.ebpf.internal.abi.CtValue(
                  now - 7 * 3_600_000_000_000L, 1, 1, false, false)
              .encode());
      ct.put(
          closed.encode(),
          new dev.netpol.backend.ebpf.internal.abi.CtValue(now - 11_000_000_000L, 1, 1, true, false)
              .encode());
      ct.put(
          udp.encode(),
          new dev.netpol.backend.ebpf.internal.abi.CtValue(
                  now - 121_000_000_000L, 1, 1, false, false)
              .encode());
      assertEquals(3, backend.collectConntrack());
      List<CtKey> left = ct.keys().stream().map(CtKey::decode).toList();
      assertEquals(1, left.size());
      assertEquals(1000, left.get(0).sport(), "the TCP entry idle for 1 h stays");
    }
  }

  @Test
  void icmpEchoRepliesMatchTheirRequestByIdAndType() throws Exception {
    program(DirectionPolicy.DENY_ALL, DirectionPolicy.ALLOW_ALL);
    String peer = "198.18.30.1";
    assertEquals(OK, out(v4(POD4, peer, ICMP, echo(8, 0x1234), 0, 0, false)), "ping out");
    assertEquals(OK, in(v4(peer, POD4, ICMP, echo(0, 0x1234), 0, 0, false)), "its reply");
    assertEquals(
        SHOT, in(v4(peer, POD4, ICMP, echo(0, 0x9999), 0, 0, false)), "a reply to no request");
    assertEquals(
        SHOT,
        in(v4(peer, POD4, ICMP, echo(8, 0x1234), 0, 0, false)),
        "the peer's own request with the same id is not a reply");
    assertEquals(SHOT, in(v4(peer, POD4, ICMP, echo(14, 0x1234), 0, 0, false)), "timestamp reply");
    String peer6 = "fd00:198:18:30::1";
    assertEquals(OK, out(v6(POD6, peer6, ICMPV6, echo(128, 7))));
    assertEquals(OK, in(v6(peer6, POD6, ICMPV6, echo(129, 7))));
    assertEquals(SHOT, in(v6(peer6, POD6, ICMPV6, echo(129, 8))));
    assertEquals(SHOT, in(v6(peer6, POD6, ICMPV6, echo(128, 7))));
  }

  @Test
  void icmpErrorsQuotingAnAllowedFlowAreRelated() throws Exception {
    program(DirectionPolicy.DENY_ALL, DirectionPolicy.ALLOW_ALL);
    String peer = "198.18.30.2";
    String router = "198.18.99.254";
    byte[] sent = v4(POD4, peer, UDP, l4(UDP, 5000, 53, 0), 0, 0, false);
    assertEquals(OK, out(sent));
    byte[] other = v4(POD4, peer, UDP, l4(UDP, 5001, 53, 0), 0, 0, false);
    assertEquals(
        OK,
        in(v4(router, POD4, ICMP, icmpError(3, 4, 1280, sent, 20), 0, 0, false)),
        "fragmentation needed for an allowed flow: related");
    assertEquals(
        OK,
        in(v4(router, POD4, ICMP, icmpError(11, 0, 0, sent, 20), 0, 0, false)),
        "time exceeded: related");
    assertEquals(
        SHOT,
        in(v4(router, POD4, ICMP, icmpError(3, 4, 1280, other, 20), 0, 0, false)),
        "an error about a flow never sent is not related");
    String peer6 = "fd00:198:18:30::2";
    byte[] sent6 = v6(POD6, peer6, UDP, l4(UDP, 5000, 53, 0));
    assertEquals(OK, out(sent6));
    assertEquals(
        OK,
        in(v6("fd00:198:18:99::1", POD6, ICMPV6, icmpError(2, 0, 1280, sent6, 40))),
        "packet too big for an allowed flow: related");
    assertEquals(
        SHOT,
        in(
            v6(
                "fd00:198:18:99::1",
                POD6,
                ICMPV6,
                icmpError(2, 0, 1280, v6(POD6, peer6, UDP, l4(UDP, 5002, 53, 0)), 40))));
    var related =
        backend.statistics().verdicts().stream()
            .filter(v -> v.pod().equals(pod) && v.reason().equals("related"))
            .mapToLong(v -> v.packets())
            .sum();
    assertEquals(3, related, "related packets counted");
  }

  @Test
  void perCpuCountersFeedStatistics() throws Exception {
    program(
        isolated(rule("198.18.20.0/24", PortRange.single(Protocol.TCP, 80))),
        DirectionPolicy.ALLOW_ALL);
    for (int i = 0; i < 3; i++) {
      assertEquals(OK, in(v4("198.18.20.5", POD4, TCP, 2000 + i, 80)));
    }
    assertEquals(OK, in(v4("198.18.20.5", POD4, TCP, 2000, 80)), "established");
    assertEquals(SHOT, in(v4("198.18.21.5", POD4, TCP, 2000, 80)));
    assertEquals(SHOT, in(v4("198.18.21.5", POD4, TCP, 2001, 80)));
    var stats = backend.statistics();
    var mine = stats.verdicts().stream().filter(v -> v.pod().equals(pod)).toList();
    var byRule =
        mine.stream()
            .filter(v -> v.allowed() && v.reason().equals("rule"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(mine.toString()));
    assertEquals(3, byRule.packets());
    assertEquals("ns/198.18.20.0/24", byRule.policy(), "the deciding policy is named");
    assertEquals("ingress", byRule.direction());
    assertEquals(
        1,
        mine.stream()
            .filter(v -> v.allowed() && v.reason().equals("established"))
            .mapToLong(v -> v.packets())
            .sum());
    assertEquals(
        1,
        mine.stream().filter(v -> v.allowed() && v.reason().equals("established")).count(),
        "established packets (the per-slot array) are one row per direction: " + mine);
    assertEquals(
        2,
        mine.stream()
            .filter(v -> !v.allowed() && v.reason().equals("no-rule"))
            .mapToLong(v -> v.packets())
            .sum());
    assertTrue(
        stats.tables().stream().anyMatch(t -> t.name().equals("np_conntrack") && t.entries() >= 3),
        stats.tables().toString());
    assertTrue(backend.datapathCounters().containsKey("events-lost"));
  }

  @Test
  void aPolicyOverTheRuleCapacityIsRefusedAndThePodKeepsItsState() throws Exception {
    var small =
        new dev.netpol.backend.ebpf.internal.PodDatapath(
            new Pins(root.pinRoot),
            dev.netpol.backend.ebpf.internal.DatapathObject.locate(),
            new dev.netpol.backend.ebpf.internal.PodDatapath.Limits(
                dev.netpol.backend.ebpf.internal.PodDatapath.Limits.CONNTRACK_DEFAULT, 16));
    PodKey p = new PodKey("prog-run", "capacity");
    String link = root.dummy("cap");
    PodPolicy fits =
        new PodPolicy(
            isolated(rule("198.18.20.0/24", PortRange.single(Protocol.TCP, 80))),
            DirectionPolicy.ALLOW_ALL);
    small.apply(new PodEndpoint(p, List.of(ip("198.18.20.88")), link), fits);
    List<Rule> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(rule("198.18.40." + i + "/32", PortRange.single(Protocol.TCP, 80)));
    }
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            dev.netpol.api.CapacityExceededException.class,
            () ->
                small.apply(
                    new PodEndpoint(p, List.of(ip("198.18.20.88")), link),
                    new PodPolicy(new DirectionPolicy(true, many), DirectionPolicy.ALLOW_ALL)));
    assertEquals(p, e.pod());
    assertEquals(16, e.capacity());
    assertTrue(e.needed() > 16, e.getMessage());
    assertEquals(fits.digest(), small.readInfo(p).policyDigest(), "the pod keeps its state");
    assertTrue(small.filtersCurrent(dev.netpol.ebpf.sdk.Interfaces.index(link).orElseThrow()));
    small.remove(p);
  }

  /**
   * The conntrack size is a setting; a full table evicts (LRU) and an evicted allowed flow is
   * decided again on its next packet, not dropped.
   */
  @Test
  void aFullConntrackTableReEvaluatesEvictedFlows() throws Exception {
    try (TestRoot small = new TestRoot()) {
      var dp =
          new dev.netpol.backend.ebpf.internal.PodDatapath(
              new Pins(small.pinRoot),
              dev.netpol.backend.ebpf.internal.DatapathObject.locate(),
              new dev.netpol.backend.ebpf.internal.PodDatapath.Limits(1024, 1000));
      String link = small.dummy("ct");
      int ifindex = dev.netpol.ebpf.sdk.Interfaces.index(link).orElseThrow();
      dp.apply(
          new PodEndpoint(new PodKey("prog-run", "ct-full"), List.of(ip(POD4)), link),
          new PodPolicy(DirectionPolicy.DENY_ALL, isolated(rule("198.18.0.0/16"))));
      var pins = new Pins(small.pinRoot);
      try (BpfProgram eg = BpfProgram.openPinned(pins.global(Pins.PROG_EGRESS));
          BpfProgram ig = BpfProgram.openPinned(pins.global(Pins.PROG_INGRESS));
          BpfMap ct = BpfMap.openPinned(pins.global(Pins.CONNTRACK))) {
        assertEquals(1024, ct.info().maxEntries(), "the configured size");
        for (int i = 0; i < 3000; i++) {
          assertEquals(
              OK, eg.testRun(v4(POD4, "198.18.70.1", UDP, 10000 + i, 53), 1, ifindex).retval());
        }
        assertTrue(ct.keys().size() <= 1024, "LRU keeps the table at its size");
        byte[] first = v4(POD4, "198.18.70.1", UDP, 10000, 53);
        assertFalse(
            ct.keys().stream().map(CtKey::decode).anyMatch(k -> k.sport() == 10000),
            "the first flow was evicted");
        assertEquals(OK, eg.testRun(first, 1, ifindex).retval(), "decided again, allowed");
        assertEquals(
            OK,
            ig.testRun(v4("198.18.70.1", POD4, UDP, 53, 10000), 1, ifindex).retval(),
            "and its replies pass again");
      }
      dp.remove(new PodKey("prog-run", "ct-full"));
    }
  }

  /**
   * With nobody reading the ring buffer (this backend runs no flow log), events are sampled once it
   * is half full and lost once it is full, both counted, while the per-CPU counters still count
   * every packet.
   */
  @Test
  void eventsAreSampledWhenBusyAndLossesCountedWhileCountersStayExact() throws Exception {
    program(
        isolated(rule("198.18.20.0/24", PortRange.single(Protocol.TCP, 80))),
        DirectionPolicy.ALLOW_ALL);
    var before = backend.datapathCounters();
    int packets = 150_000; // denied new flows: one event each, the ring buffer holds ~58k
    assertEquals(
        SHOT,
        ingress.testRun(v4("198.18.21.9", POD4, TCP, 3000, 80), packets, dummyIndex()).retval());
    var after = backend.datapathCounters();
    assertTrue(
        after.get("events-sampled-out") > before.get("events-sampled-out"),
        "sampled when busy: " + after);
    assertEquals(
        packets,
        backend.statistics().verdicts().stream()
            .filter(v -> v.pod().equals(pod) && !v.allowed())
            .mapToLong(v -> v.packets())
            .sum(),
        "every packet counted");
  }

  /** last_seen is rewritten only when it is older than a second (no write per packet). */
  @Test
  void lastSeenIsRefreshedOnlyWhenOld() throws Exception {
    program(DirectionPolicy.DENY_ALL, DirectionPolicy.ALLOW_ALL);
    byte[] fwd = v4(POD4, "198.18.20.70", UDP, 6000, 6001);
    assertEquals(OK, out(fwd));
    try (BpfMap ct = BpfMap.openPinned(root.pinRoot.resolve("global/np_conntrack"))) {
      byte[] k = ct.keys().get(0);
      var v = dev.netpol.backend.ebpf.internal.abi.CtValue.decode(ct.get(k).orElseThrow());
      long recent = System.nanoTime() - 300_000_000L;
      long old = System.nanoTime() - 5_000_000_000L;
      ct.put(
          k,
          new dev.netpol.backend.ebpf.internal.abi.CtValue(
                  recent, v.generation(), v.direction(), false, false)
              .encode());
      assertEquals(OK, out(fwd));
      assertEquals(
          recent,
          dev.netpol.backend.ebpf.internal.abi.CtValue.decode(ct.get(k).orElseThrow()).lastSeenNs(),
          "0.3 s old: not rewritten");
      ct.put(
          k,
          new dev.netpol.backend.ebpf.internal.abi.CtValue(
                  old, v.generation(), v.direction(), false, false)
              .encode());
      assertEquals(OK, out(fwd));
      assertTrue(
          dev.netpol.backend.ebpf.internal.abi.CtValue.decode(ct.get(k).orElseThrow()).lastSeenNs()
              > old,
          "5 s old: refreshed");
    }
  }
}
