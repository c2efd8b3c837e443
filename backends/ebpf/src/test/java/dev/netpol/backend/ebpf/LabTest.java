package dev.netpol.backend.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.backend.ebpf.internal.Pins;
import dev.netpol.backend.ebpf.internal.abi.CtKey;
import dev.netpol.backend.testlab.PodLab;
import dev.netpol.ebpf.sdk.BpfMap;
import dev.netpol.ebpf.sdk.BpfProgram;
import dev.netpol.ebpf.sdk.Interfaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** End to end: real namespaces, veths, TCP through the attached programs. */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class LabTest {
  static TestRoot root;
  static PodLab lab;
  static PodLab.Pod a;
  static PodLab.Pod b;
  static PodLab.Pod c;
  static EbpfBackend backend;

  @BeforeAll
  static void setUp() throws Exception {
    TestRoot.sweepLeftovers();
    root = new TestRoot();
    lab = new PodLab(root.prefix, 20);
    try {
      a = lab.pod(1);
      b = lab.pod(2);
      c = lab.pod(3);
      lab.server(b, 8080, 9090);
      backend = new EbpfBackend(new EbpfBackend.Config(root.pinRoot, 100, 0));
    } catch (Exception | Error e) {
      lab.close();
      root.close();
      throw e;
    }
  }

  @AfterAll
  static void tearDown() {
    if (backend != null) {
      backend.close();
    }
    if (lab != null) {
      lab.close();
    }
    if (root != null) {
      root.close();
    }
  }

  @BeforeEach
  void openEverything() throws Exception {
    for (PodLab.Pod p : List.of(a, b, c)) {
      backend.apply(p.endpoint(), PodPolicy.ALLOW_ALL);
    }
  }

  static Rule from(List<String> cidrs, PortRange... ports) {
    return new Rule(
        cidrs.stream().map(s -> Peer.of(Cidr.parse(s))).toList(), List.of(ports), "lab/np");
  }

  static DirectionPolicy only(Rule... rules) {
    return new DirectionPolicy(true, List.of(rules));
  }

  static final PortRange TCP8080 = PortRange.single(Protocol.TCP, 8080);

  @Test
  void openLabConnects() {
    assertTrue(lab.probe(a, b.ip4(), 8080));
    assertTrue(lab.probe(a, b.ip6(), 9090));
  }

  @Test
  void ingressByCidrAndPortWithRepliesThroughDeniedEgress() throws Exception {
    backend.apply(
        b.endpoint(),
        new PodPolicy(
            only(from(List.of(a.ip4() + "/32", a.ip6() + "/128"), TCP8080)),
            DirectionPolicy.DENY_ALL));
    assertTrue(lab.probe(a, b.ip4(), 8080), "allowed v4, replies pass B's deny-all egress");
    assertTrue(lab.probe(a, b.ip6(), 8080), "allowed v6 (neighbour discovery still works)");
    assertFalse(lab.probe(a, b.ip4(), 9090), "port not allowed");
    assertFalse(lab.probe(a, b.ip6(), 9090));
    assertFalse(lab.probe(c, b.ip4(), 8080), "peer not allowed");
    assertFalse(lab.probe(c, b.ip6(), 8080));
  }

  @Test
  void egressByCidrPortAndFamily() throws Exception {
    backend.apply(
        a.endpoint(),
        new PodPolicy(
            DirectionPolicy.ALLOW_ALL,
            only(from(List.of(b.ip4() + "/32"), PortRange.single(Protocol.TCP, 9090)))));
    assertTrue(lab.probe(a, b.ip4(), 9090));
    assertFalse(lab.probe(a, b.ip4(), 8080));
    assertFalse(lab.probe(a, b.ip6(), 9090), "no IPv6 peer allowed");
    assertFalse(lab.probe(a, c.ip4(), 9090));
  }

  @Test
  void strictDenyAllThenStandardAllowAll() throws Exception {
    backend.apply(b.endpoint(), PodPolicy.DENY_ALL);
    assertFalse(lab.probe(a, b.ip4(), 8080));
    assertFalse(lab.probe(a, b.ip6(), 8080));
    backend.apply(b.endpoint(), PodPolicy.ALLOW_ALL);
    assertTrue(lab.probe(a, b.ip4(), 8080));
  }

  @Test
  void exceptOfOneRuleDoesNotNarrowAnother() throws Exception {
    Rule allButLab =
        new Rule(
            List.of(new Peer(Cidr.parse("0.0.0.0/0"), List.of(Cidr.parse("198.18.20.0/24")))),
            List.of(),
            "lab/a");
    Rule anyOn8080 = from(List.of("0.0.0.0/0"), TCP8080);
    backend.apply(
        b.endpoint(), new PodPolicy(only(allButLab, anyOn8080), DirectionPolicy.ALLOW_ALL));
    assertTrue(lab.probe(a, b.ip4(), 8080), "rule B allows 8080 from the excepted block");
    assertFalse(lab.probe(a, b.ip4(), 9090), "rule A excepts the lab block");
  }

  @Test
  void manyPortsAndEndPortRanges() throws Exception {
    List<PortRange> ports = new ArrayList<>();
    for (int p = 9061; p <= 9090; p++) {
      ports.add(PortRange.single(Protocol.TCP, p));
    }
    backend.apply(
        b.endpoint(),
        new PodPolicy(
            only(new Rule(List.of(Peer.of(Cidr.parse(a.ip4() + "/32"))), ports, "lab/30ports")),
            DirectionPolicy.ALLOW_ALL));
    assertTrue(lab.probe(a, b.ip4(), 9090), "the 30th port of one CIDR works");
    assertFalse(lab.probe(a, b.ip4(), 8080));
    backend.apply(
        b.endpoint(),
        new PodPolicy(
            only(from(List.of(a.ip4() + "/32"), new PortRange(Protocol.TCP, 8000, 8999))),
            DirectionPolicy.ALLOW_ALL));
    assertTrue(lab.probe(a, b.ip4(), 8080));
    assertFalse(lab.probe(a, b.ip4(), 9090));
  }

  @Test
  void revocationCutsAnEstablishedFlow() throws Exception {
    backend.apply(
        b.endpoint(),
        new PodPolicy(only(from(List.of(a.ip4() + "/32"), TCP8080)), DirectionPolicy.ALLOW_ALL));
    PodLab.Stream s = lab.stream(a, b.ip4(), 8080, 200, 0.02);
    Thread.sleep(800);
    backend.apply(
        b.endpoint(),
        new PodPolicy(
            only(from(List.of(a.ip4() + "/32"), PortRange.single(Protocol.TCP, 9090))),
            DirectionPolicy.ALLOW_ALL));
    int[] r = s.result();
    assertTrue(r[0] > 5, "flowed before: " + r[0]);
    assertEquals(1, r[1], "cut after the policy change (ok=" + r[0] + ")");
    assertTrue(r[0] < 150, "cut promptly: " + r[0]);
  }

  @Test
  void updatesAreAtomicUnderAConcurrentProber() throws Exception {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      many.add("198.19." + (i / 200) + "." + (i % 200) + "/32");
    }
    PodPolicy small =
        new PodPolicy(only(from(List.of(a.ip4() + "/32"), TCP8080)), DirectionPolicy.ALLOW_ALL);
    PodPolicy big =
        new PodPolicy(
            only(
                from(List.of(a.ip4() + "/32"), TCP8080),
                from(many, PortRange.allPorts(Protocol.UDP)),
                from(List.of(c.ip4() + "/32"), PortRange.single(Protocol.TCP, 9090))),
            DirectionPolicy.ALLOW_ALL);
    backend.apply(b.endpoint(), small);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger wrong = new AtomicInteger();
    Thread prober =
        new Thread(
            () -> {
              while (!stop.get()) {
                if (lab.probe(a, b.ip4(), 8080)) {
                  ok.incrementAndGet();
                } else {
                  wrong.incrementAndGet();
                }
                if (ok.get() % 4 == 0 && lab.probe(a, b.ip4(), 9090)) {
                  wrong.incrementAndGet();
                }
              }
            });
    prober.start();
    for (int i = 0; i < 40 || ok.get() < 6; i++) {
      backend.apply(b.endpoint(), i % 2 == 0 ? big : small);
      Thread.sleep(150);
    }
    stop.set(true);
    prober.join();
    assertTrue(ok.get() > 3, "probes ran: " + ok.get());
    assertEquals(0, wrong.get(), "no probe saw a denied allowed port or an allowed denied port");
  }

  @Test
  void restartAdoptsPinsAndSwapsAChangedProgramWithoutDroppingAFlow() throws Exception {
    PodPolicy policy =
        new PodPolicy(only(from(List.of(a.ip4() + "/32"), TCP8080)), DirectionPolicy.ALLOW_ALL);
    backend.apply(b.endpoint(), policy);
    Pins pins = new Pins(root.pinRoot);
    int before;
    try (BpfProgram p = BpfProgram.openPinned(pins.global(Pins.PROG_INGRESS))) {
      before = p.id();
    }
    PodLab.Stream s = lab.stream(a, b.ip4(), 8080, 120, 0.02);
    backend.close(); // the agent stops: enforcement must go on
    assertFalse(lab.probe(c, b.ip4(), 8080), "still enforcing with no agent");
    String oldDir = System.getProperty("netpol.bpf.dir");
    Path changed = Files.createTempDirectory(root.prefix + "obj");
    Files.copy(
        dev.netpol.backend.ebpf.internal.DatapathObject.locate().file(),
        changed.resolve("netpol.o"));
    Files.write(
        changed.resolve("netpol.o"),
        new byte[] {0},
        StandardOpenOption.APPEND); // new digest, same code
    System.setProperty("netpol.bpf.dir", changed.toString());
    try {
      backend = new EbpfBackend(new EbpfBackend.Config(root.pinRoot, 100, 0));
      assertTrue(backend.health().healthy(), backend.health().detail());
      assertEquals(
          policy.digest(), backend.programmed().get(b.key()).policyDigest(), "adopted from pins");
      int gen = backend.programmedGeneration(b.key());
      // changed object: programs reloaded once for the node, every pod's filters replaced, maps
      // (rules, flows) kept, so the pod itself needs no rewrite
      backend.apply(b.endpoint(), policy);
      assertEquals(gen, backend.programmedGeneration(b.key()));
    } finally {
      if (oldDir == null) {
        System.clearProperty("netpol.bpf.dir");
      } else {
        System.setProperty("netpol.bpf.dir", oldDir);
      }
      Files.deleteIfExists(changed.resolve("netpol.o")); // loaded and pinned: no longer read
      Files.deleteIfExists(changed);
    }
    int[] r = s.result();
    assertEquals(120, r[0], "every round trip of the established flow passed");
    assertEquals(0, r[1]);
    int ifindex = Interfaces.require(b.hostVeth());
    try (BpfProgram p = BpfProgram.openPinned(pins.global(Pins.PROG_INGRESS))) {
      assertTrue(p.id() != before, "a new program was loaded");
      assertEquals(
          p.id(),
          dev.netpol.backend.ebpf.internal.TcFilters.attachedProgramId(
              ifindex, dev.netpol.backend.ebpf.internal.TcFilters.Hook.EGRESS),
          "the filter runs the new pinned program");
    }
    assertTrue(backend.health().healthy(), backend.health().detail());
    int gen = backend.programmedGeneration(b.key());
    backend.apply(b.endpoint(), policy);
    assertEquals(gen, backend.programmedGeneration(b.key()), "an unchanged pod is not rewritten");
    assertTrue(lab.probe(a, b.ip4(), 8080));
    assertFalse(lab.probe(c, b.ip4(), 8080));
    try (var files = Files.list(pins.root().resolve("global"))) {
      assertEquals(
          Pins.OBJECT_MAPS.size() + 3,
          files.count(),
          "no leaked pins: the maps, two programs, the holder");
    }
    backend.close(); // back to the build's object for the other tests
    backend = new EbpfBackend(new EbpfBackend.Config(root.pinRoot, 100, 0));
  }

  @Test
  void spoofedPacketFromOnePodOpensNothingForAnother() throws Exception {
    backend.apply(b.endpoint(), new PodPolicy(DirectionPolicy.DENY_ALL, DirectionPolicy.ALLOW_ALL));
    assertFalse(lab.probeFromPort(c, b.ip4(), 8080, 40000));
    // A forges "B:8080 -> C:40000", as if B had opened a flow to C; A's own egress records it.
    lab.spoof(a, b.ip4(), c.ip4(), 8080, 40000);
    int ifA = Interfaces.require(a.hostVeth());
    try (BpfMap ct = BpfMap.openPinned(root.pinRoot.resolve("global/np_conntrack"))) {
      assertTrue(
          ct.keys().stream()
              .map(CtKey::decode)
              .anyMatch(k -> k.ifindex() == ifA && k.sport() == 8080 && k.dport() == 40000),
          "the forged flow was recorded on A's interface");
    }
    assertFalse(
        lab.probeFromPort(c, b.ip4(), 8080, 40000),
        "B's ingress deny holds for C: the entry is A's, not B's");
  }

  @Test
  void nodeAddressRuleLetsTheHostProbeThePod() throws Exception {
    // the agent adds the node's address as a rule; here: whatever source the host uses towards B
    String route = PodLab.sh("ip", "-4", "route", "get", b.ip4());
    String src = route.replaceAll("(?s).*\\bsrc (\\S+).*", "$1").trim();
    backend.apply(
        b.endpoint(), new PodPolicy(only(from(List.of(src + "/32"))), DirectionPolicy.ALLOW_ALL));
    assertTrue(lab.probe(null, b.ip4(), 8080), "host (" + src + ") reaches the pod");
    assertFalse(lab.probe(a, b.ip4(), 8080), "other peers stay denied");
  }

  @Test
  void removeDetachesForgetsAndUnpins() throws Exception {
    backend.apply(b.endpoint(), PodPolicy.DENY_ALL);
    assertFalse(lab.probe(a, b.ip4(), 8080));
    int ifB = Interfaces.require(b.hostVeth());
    backend.remove(b.key());
    assertEquals(
        0,
        dev.netpol.backend.ebpf.internal.TcFilters.attachedProgramId(
            ifB, dev.netpol.backend.ebpf.internal.TcFilters.Hook.EGRESS));
    assertEquals(
        0,
        dev.netpol.backend.ebpf.internal.TcFilters.attachedProgramId(
            ifB, dev.netpol.backend.ebpf.internal.TcFilters.Hook.INGRESS));
    assertFalse(
        new dev.netpol.backend.ebpf.internal.PodDatapath(new Pins(root.pinRoot), null)
            .records()
            .containsKey(ifB),
        "record removed");
    assertFalse(backend.programmed().containsKey(b.key()));
    assertTrue(lab.probe(a, b.ip4(), 8080), "no enforcement left on B");
    try (BpfMap ct = BpfMap.openPinned(root.pinRoot.resolve("global/np_conntrack"))) {
      assertFalse(
          ct.keys().stream().map(CtKey::decode).anyMatch(k -> k.ifindex() == ifB),
          "B's flows forgotten");
    }
    backend.remove(b.key()); // unknown pod: not an error
  }

  @Test
  void verdictEventsNameThePodAndCount() throws Exception {
    List<dev.netpol.backend.ebpf.internal.abi.Event> seen =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    backend.onEvent(seen::add);
    List<dev.netpol.api.VerdictEvent> verdicts = new java.util.concurrent.CopyOnWriteArrayList<>();
    AutoCloseable subscription = backend.subscribe(verdicts::add);
    try {
      backend.apply(
          b.endpoint(),
          new PodPolicy(only(from(List.of(a.ip4() + "/32"), TCP8080)), DirectionPolicy.ALLOW_ALL));
      long deniedBefore = backend.flowsDenied();
      assertFalse(lab.probe(a, b.ip4(), 9090));
      assertTrue(lab.probe(a, b.ip4(), 8080));
      Thread.sleep(300);
      int ifB = Interfaces.require(b.hostVeth());
      assertTrue(
          seen.stream()
              .anyMatch(
                  e ->
                      e.ifindex() == ifB
                          && !e.allowed()
                          && e.dport() == 9090
                          && e.direction() == 0),
          seen.toString());
      assertTrue(
          seen.stream()
              .anyMatch(
                  e -> e.ifindex() == ifB && e.allowed() && e.dport() == 8080 && e.classId() > 0));
      assertTrue(backend.flowsDenied() > deniedBefore);
      // the same decisions for subscribers (the console's verdict log), named by pod and policy
      assertTrue(
          verdicts.stream()
              .anyMatch(
                  v ->
                      b.key().equals(v.pod())
                          && v.direction().equals("ingress")
                          && !v.allowed()
                          && v.destinationPort() == 9090
                          && v.source().getHostAddress().equals(a.ip4())
                          && v.protocol() == 6),
          verdicts.toString());
      assertTrue(
          verdicts.stream()
              .anyMatch(
                  v ->
                      b.key().equals(v.pod())
                          && v.allowed()
                          && v.destinationPort() == 8080
                          && !v.policy().isEmpty()),
          verdicts.toString());
      subscription.close();
      int before = verdicts.size();
      assertFalse(lab.probe(a, b.ip4(), 9091));
      Thread.sleep(300);
      assertEquals(before, verdicts.size(), "no events after the subscription is closed");
    } finally {
      backend.onEvent(null);
      subscription.close();
    }
  }

  static long counted(dev.netpol.api.PodKey pod, String reason) {
    return backend.statistics().verdicts().stream()
        .filter(v -> v.pod().equals(pod) && v.reason().equals(reason))
        .mapToLong(v -> v.packets())
        .sum();
  }

  /**
   * A connection opened before the programs were attached (a node under iptables, or no policy)
   * whose first packet after the attach is a reply: its original direction is allowed, so the
   * kernel's conntrack entry resumes it. One whose original direction is denied stays cut.
   */
  @Test
  void aFlowEstablishedBeforeAttachResumesThroughTheKernelsConntrack() throws Exception {
    try (AutoCloseable ct = lab.kernelConntrack()) {
      lab.start(b, "ready", "push.py", "serve", "7070");
      lab.start(c, "ready", "push.py", "serve", "7070");
      backend.remove(a.key()); // nothing attached on A, as before an iptables -> eBPF swap
      Process toB = lab.start(a, "connected", "push.py", "read", b.ip4(), "7070", "2.5");
      Process toC = lab.start(a, "connected", "push.py", "read", c.ip4(), "7070", "2.5");
      Thread.sleep(300);
      // A only ever receives (the server pushes): the first packet after the attach is a reply
      backend.apply(
          a.endpoint(),
          new PodPolicy(
              DirectionPolicy.DENY_ALL,
              only(from(List.of(b.ip4() + "/32"), PortRange.single(Protocol.TCP, 7070)))));
      String fromB = PodLab.nextLine(toB);
      String fromC = PodLab.nextLine(toC);
      assertTrue(fromB.startsWith("ok="), "the allowed connection keeps flowing: " + fromB);
      assertTrue(fromC.startsWith("stalled"), "the denied one is cut: " + fromC);
      assertTrue(counted(a.key(), "resumed") >= 1, "resumed through the kernel's conntrack");
    }
  }

  /**
   * Path MTU discovery through a pod isolated both ways: the host's "fragmentation needed" /
   * "packet too big" about A's allowed flow reaches A as RELATED, so full-size segments shrink
   * instead of vanishing. The smaller MTU is on the host's route to B, not on B (whose MSS would
   * hide the problem).
   */
  @Test
  void pathMtuDiscoveryThroughAnIsolatedPod() throws Exception {
    backend.apply(
        a.endpoint(),
        new PodPolicy(
            DirectionPolicy.DENY_ALL,
            only(from(List.of(b.ip4() + "/32", b.ip6() + "/128"), TCP8080))));
    PodLab.sh("ip", "route", "replace", b.ip4() + "/32", "dev", b.hostVeth(), "mtu", "1280");
    PodLab.sh("ip", "-6", "route", "replace", b.ip6() + "/128", "dev", b.hostVeth(), "mtu", "1280");
    try {
      assertEquals("ok", lab.run(a, "bulk.py", b.ip4(), "8080", "300000"), "IPv4");
      assertEquals("ok", lab.run(a, "bulk.py", b.ip6(), "8080", "300000"), "IPv6");
      assertTrue(counted(a.key(), "related") >= 2, "ICMP errors delivered as related");
    } finally {
      PodLab.sh("ip", "route", "replace", b.ip4() + "/32", "dev", b.hostVeth());
      PodLab.sh("ip", "-6", "route", "replace", b.ip6() + "/128", "dev", b.hostVeth());
    }
  }

  /** A UDP answer larger than the MTU arrives as IP fragments; the later ones carry no ports. */
  @Test
  void fragmentedUdpRepliesOfAnAllowedFlowArrive() throws Exception {
    lab.start(b, "ready", "udpbig.py", "serve", "5353", "4000");
    backend.apply(
        a.endpoint(),
        new PodPolicy(
            DirectionPolicy.DENY_ALL,
            only(
                from(
                    List.of(b.ip4() + "/32", b.ip6() + "/128"),
                    PortRange.single(Protocol.UDP, 5353)))));
    assertEquals("4000", lab.run(a, "udpbig.py", "ask", b.ip4(), "5353"), "IPv4 fragments");
    assertEquals("4000", lab.run(a, "udpbig.py", "ask", b.ip6(), "5353"), "IPv6 fragments");
  }

  @Test
  void aSecondAgentOnTheRootIsRefusedNamingRootAndHolder() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class,
            () -> new EbpfBackend(new EbpfBackend.Config(root.pinRoot, 0, 0)));
    assertTrue(e.getMessage().contains(root.pinRoot.toString()), e.getMessage());
    assertTrue(
        e.getMessage().contains("pid " + ProcessHandle.current().pid()),
        "names the holder: " + e.getMessage());
  }

  /** `netpol ebpf events` gets every verdict while the agent's flow log reads the ring buffer. */
  @Test
  void cliEventsSeeEveryVerdictWhileTheAgentRuns() throws Exception {
    backend.apply(
        b.endpoint(),
        new PodPolicy(only(from(List.of(a.ip4() + "/32"))), DirectionPolicy.ALLOW_ALL));
    var agentSaw = new java.util.concurrent.CopyOnWriteArrayList<String>();
    backend.onEvent(e -> agentSaw.add(e.describe()));
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    Thread cli =
        new Thread(
            () ->
                new EbpfCli()
                    .run(
                        List.of("--root", root.pinRoot.toString(), "events", "5"),
                        new java.io.PrintStream(out, true),
                        new java.io.PrintStream(err, true)));
    try {
      cli.start();
      Thread.sleep(700);
      assertFalse(lab.probeFromPort(c, b.ip4(), 8080, 41001));
      assertTrue(lab.probeFromPort(a, b.ip4(), 8080, 41002));
      cli.join();
    } finally {
      backend.onEvent(null);
    }
    assertTrue(err.toString().contains("agent's event feed"), err.toString());
    List<String> denied =
        agentSaw.stream().filter(l -> l.contains(":41001 -> " + b.ip4() + ":8080")).toList();
    assertFalse(denied.isEmpty(), "the agent saw the denied SYNs: " + agentSaw);
    for (String port : List.of(":41001 ", ":41002 ")) {
      assertEquals(
          agentSaw.stream().filter(l -> l.contains(port)).count(),
          out.toString().lines().filter(l -> l.contains(port)).count(),
          "the CLI saw what the agent saw for " + port + ":\n" + out);
    }
  }
}
