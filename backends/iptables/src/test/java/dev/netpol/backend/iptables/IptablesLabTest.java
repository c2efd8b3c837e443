package dev.netpol.backend.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.api.BackendStatistics;
import dev.netpol.api.PodDesiredState;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.Direction;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.backend.iptables.internal.Names;
import dev.netpol.backend.testlab.PodLab;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.IpSet;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.Table;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** End to end: real namespaces, veths, TCP through real iptables chains and ipsets. */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class IptablesLabTest {
  /** Names: namespaces and veths {@code npx} + 4 hex, chains and sets {@code NPX} + the same. */
  static final String HEX = HexFormat.of().toHexDigits((short) new SecureRandom().nextInt(1 << 16));

  static final String CHAINS = "NPX" + HEX;
  static PodLab lab;
  static PodLab.Pod a;
  static PodLab.Pod b;
  static PodLab.Pod c;
  static IptablesBackend backend;

  @BeforeAll
  static void setUp() throws Exception {
    sweepLeftovers();
    lab = new PodLab("npx" + HEX, 27);
    try {
      a = lab.pod(1);
      b = lab.pod(2);
      c = lab.pod(3);
      lab.server(b, 8080, 9090);
      backend = newBackend();
    } catch (Exception | Error e) {
      lab.close();
      sweepLeftovers();
      throw e;
    }
  }

  /** Removes every namespace, chain and set of this test family (ours and earlier runs'). */
  static void sweepLeftovers() {
    PodLab.removeMatching("npx[0-9a-f]{4}.*");
    String saved =
        PodLab.sh("iptables-save") + PodLab.sh("ip6tables-save") + PodLab.sh("ipset", "list", "-n");
    Set<String> prefixes = new TreeSet<>();
    Matcher m = Pattern.compile("NPX[0-9a-f]{4}").matcher(saved);
    while (m.find()) {
      prefixes.add(m.group());
    }
    for (String p : prefixes) {
      Netfilter nf = new Netfilter(p, Duration.ofSeconds(30));
      for (Family f : Family.values()) {
        nf.removeAll(f, Table.FILTER);
      }
      nf.removeAllSets();
    }
  }

  static IptablesBackend newBackend() {
    return new IptablesBackend(new IptablesBackend.Config(CHAINS, Duration.ofSeconds(30)));
  }

  @AfterAll
  static void tearDown() {
    if (backend != null) {
      backend.close();
    }
    if (lab != null) {
      lab.close();
    }
    sweepLeftovers();
  }

  @BeforeEach
  void openEverything() throws Exception {
    for (PodLab.Pod p : List.of(a, b, c)) {
      backend.apply(p.endpoint(), PodPolicy.ALLOW_ALL);
    }
  }

  static Peer peer(String cidr, String... except) {
    return new Peer(Cidr.parse(cidr), List.of(except).stream().map(Cidr::parse).toList());
  }

  static Rule rule(List<Peer> peers, PortRange... ports) {
    return new Rule(peers, List.of(ports), "lab/np");
  }

  static DirectionPolicy only(Rule... rules) {
    return new DirectionPolicy(true, List.of(rules));
  }

  static final PortRange TCP8080 = PortRange.single(Protocol.TCP, 8080);
  static final PortRange TCP9090 = PortRange.single(Protocol.TCP, 9090);

  @Test
  void ingressByPeerAndPortWithRepliesThroughDeniedEgress() throws Exception {
    backend.apply(
        b.endpoint(),
        new PodPolicy(
            only(rule(List.of(peer(a.ip4() + "/32"), peer(a.ip6() + "/128")), TCP8080)),
            DirectionPolicy.DENY_ALL));
    assertTrue(lab.probe(a, b.ip4(), 8080), "allowed v4, replies pass B's deny-all egress");
    assertTrue(lab.probe(a, b.ip6(), 8080), "allowed v6 (neighbour discovery still works)");
    assertFalse(lab.probe(a, b.ip4(), 9090), "port not allowed");
    assertFalse(lab.probe(a, b.ip6(), 9090));
    assertFalse(lab.probe(c, b.ip4(), 8080), "peer not allowed");
    assertFalse(lab.probe(c, b.ip6(), 8080));
    assertFalse(lab.probe(null, b.ip4(), 8080), "host not allowed (OUTPUT dispatch)");
    BackendStatistics s = backend.statistics();
    assertTrue(
        s.verdicts().stream()
            .anyMatch(
                v ->
                    v.pod().equals(b.key())
                        && !v.allowed()
                        && v.reason().equals("no-rule")
                        && v.packets() > 0),
        s.toString());
    assertTrue(
        s.verdicts().stream()
            .anyMatch(v -> v.policy().equals("lab/np") && v.allowed() && v.packets() > 0),
        s.toString());
  }

  @Test
  void exceptStaysScopedToItsOwnRuleAndEgressByFamily() throws Exception {
    // rule 1: the lab /24 except A, all ports; rule 2: A on 9090 only
    backend.apply(
        b.endpoint(),
        new PodPolicy(
            only(
                rule(List.of(peer("198.18.27.0/24", a.ip4() + "/32"))),
                rule(List.of(peer(a.ip4() + "/32")), TCP9090)),
            DirectionPolicy.ALLOW_ALL));
    assertFalse(lab.probe(a, b.ip4(), 8080), "A is carved out of rule 1");
    assertTrue(lab.probe(a, b.ip4(), 9090), "rule 2 still lets A in on 9090");
    assertTrue(lab.probe(c, b.ip4(), 8080), "C is in rule 1");
    backend.apply(b.endpoint(), PodPolicy.ALLOW_ALL);
    backend.apply(
        a.endpoint(),
        new PodPolicy(
            DirectionPolicy.ALLOW_ALL,
            only(rule(List.of(peer("0.0.0.0/0", c.ip4() + "/32")), TCP9090))));
    assertTrue(lab.probe(a, b.ip4(), 9090), "0.0.0.0/0 (two /1 halves in hash:net)");
    assertFalse(lab.probe(a, b.ip4(), 8080));
    assertFalse(lab.probe(a, b.ip6(), 9090), "no IPv6 peer allowed");
  }

  @Test
  void strictDenyAllThenStandardAllowAll() throws Exception {
    backend.apply(b.endpoint(), PodPolicy.DENY_ALL);
    assertFalse(lab.probe(a, b.ip4(), 8080));
    assertFalse(lab.probe(a, b.ip6(), 8080));
    backend.apply(b.endpoint(), PodPolicy.ALLOW_ALL);
    assertTrue(lab.probe(a, b.ip4(), 8080));
    assertTrue(lab.probe(null, b.ip4(), 8080), "host reaches the pod");
  }

  @Test
  void peerChangeSwitchesToAnotherSetAtomicallyAndRevocationCutsAnEstablishedStream()
      throws Exception {
    backend.apply(
        b.endpoint(),
        new PodPolicy(
            only(rule(List.of(peer(a.ip4() + "/32")), TCP8080)), DirectionPolicy.ALLOW_ALL));
    Set<String> before = sets();
    var stream = lab.stream(a, b.ip4(), 8080, 200, 0.02);
    String othersBefore = chains(a, c);
    // same rule, other peer: a set with the new content, b's chains switch to it in one commit,
    // the old set goes (nobody else used it); no other pod's chain is written
    backend.apply(
        b.endpoint(),
        new PodPolicy(
            only(rule(List.of(peer(c.ip4() + "/32")), TCP8080)), DirectionPolicy.ALLOW_ALL));
    Set<String> after = sets();
    assertEquals(before.size(), after.size(), before + " -> " + after);
    assertFalse(after.containsAll(before), "the old peer set is destroyed: " + after);
    assertEquals(othersBefore, chains(a, c), "other pods' chains untouched");
    assertTrue(lab.probe(c, b.ip4(), 8080));
    int[] r = stream.result();
    assertTrue(
        r[1] == 1 && r[0] < 200, "A's established stream was cut: ok=" + r[0] + " fail=" + r[1]);
    assertFalse(lab.probe(a, b.ip4(), 8080));
  }

  @Test
  void podsAppliedTogetherShareOneSetPerContentUntilTheLastUserGoes() throws Exception {
    PodPolicy fromA =
        new PodPolicy(
            only(rule(List.of(peer(a.ip4() + "/32"), peer(a.ip6() + "/128")), TCP8080)),
            DirectionPolicy.ALLOW_ALL);
    Set<String> open = sets();
    var failed =
        backend.applyAll(
            List.of(
                new PodDesiredState(b.endpoint(), fromA),
                new PodDesiredState(c.endpoint(), fromA)));
    assertEquals(Map.of(), failed);
    Set<String> shared = sets();
    shared.removeAll(open);
    assertEquals(2, shared.size(), "one IPv4 and one IPv6 set for both pods: " + shared);
    assertTrue(lab.probe(a, b.ip4(), 8080) && lab.probe(a, b.ip6(), 8080));
    assertFalse(lab.probe(c, b.ip4(), 8080), "c is no peer of b");
    backend.apply(c.endpoint(), PodPolicy.ALLOW_ALL);
    assertTrue(sets().containsAll(shared), "b still uses them");
    assertFalse(lab.probe(c, b.ip4(), 8080));
    backend.apply(b.endpoint(), PodPolicy.ALLOW_ALL);
    assertTrue(sets().stream().noneMatch(shared::contains), "the last user is gone: " + sets());
    // a batch with one pod that cannot be programmed (a set of another type already holds the
    // name of its peer set): the transaction fails, the pods are then programmed one by one, and
    // only that pod fails
    PodPolicy fromGhost =
        new PodPolicy(
            only(rule(List.of(peer("198.18.27.250/32")), TCP8080)), DirectionPolicy.ALLOW_ALL);
    String taken =
        Names.peerSet(CHAINS, Family.V4, List.of(new IpSet.Member("198.18.27.250/32", false)));
    PodLab.sh("ipset", "create", taken, "hash:ip");
    var ghost =
        new PodEndpoint(
            new PodKey("lab", "ghost"),
            List.of(InetAddress.getByName("198.18.27.99")),
            lab.prefix() + "g");
    failed =
        backend.applyAll(
            List.of(
                new PodDesiredState(b.endpoint(), fromA), new PodDesiredState(ghost, fromGhost)));
    assertEquals(Set.of(ghost.key()), failed.keySet(), failed.toString());
    assertTrue(failed.get(ghost.key()).getMessage().contains("ipset"), failed.toString());
    assertFalse(lab.probe(c, b.ip4(), 8080), "b programmed although the ghost failed");
    assertTrue(lab.probe(a, b.ip4(), 8080));
    assertFalse(backend.programmed().containsKey(ghost.key()));
    assertFalse(sets().contains(taken), "the batch's clean-up removed the unused set of ours");
    assertTrue(backend.health().healthy(), backend.health().detail());
  }

  @Test
  void restartAdoptsAndReleaseRemovesEverything() throws Exception {
    backend.apply(b.endpoint(), PodPolicy.DENY_ALL);
    backend.close();
    assertFalse(lab.probe(a, b.ip4(), 8080), "a stopped backend keeps enforcing");
    backend = newBackend();
    assertEquals(3, backend.programmed().size());
    assertEquals(PodPolicy.DENY_ALL.digest(), backend.programmed().get(b.key()).policyDigest());
    assertTrue(backend.health().healthy(), backend.health().detail());
    String before = chains();
    backend.apply(b.endpoint(), PodPolicy.DENY_ALL);
    assertEquals(before, chains(), "adopted pod with the same policy: nothing rewritten");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(
        0,
        new IptablesCli()
            .run(
                List.of("--prefix", CHAINS, "show", "lab/pod2"), new PrintStream(out), System.err));
    assertTrue(out.toString().contains("default-deny"), out.toString());
    backend.release();
    assertTrue(backend.programmed().isEmpty());
    assertFalse(PodLab.sh("iptables-save").contains(CHAINS));
    assertFalse(PodLab.sh("ip6tables-save").contains(CHAINS));
    assertFalse(PodLab.sh("ipset", "list", "-n").contains(CHAINS));
    assertTrue(lab.probe(a, b.ip4(), 8080), "released: nothing enforces");
  }

  @Test
  void restartRemovesPodsWhoseInterfaceWentWhileStopped() throws Exception {
    PodLab.Pod d = lab.pod(4);
    Set<String> setsBefore = sets();
    PodPolicy fromOnePeer =
        new PodPolicy(
            only(rule(List.of(peer("198.18.27.99/32")), TCP8080)), DirectionPolicy.ALLOW_ALL);
    backend.apply(d.endpoint(), fromOnePeer);
    Set<String> itsSets = sets();
    itsSets.removeAll(setsBefore);
    assertFalse(itsSets.isEmpty(), "the pod's peer has a set of its own");
    Names n = Names.of(CHAINS, d.key());
    assertTrue(PodLab.sh("iptables-save").contains(n.podChain(Direction.INGRESS)));
    backend.close();
    PodLab.sh("ip", "link", "del", d.hostVeth()); // the pod goes while no backend runs

    backend = newBackend();
    assertFalse(backend.programmed().containsKey(d.key()), "gone pod: " + backend.programmed());
    assertEquals(
        Set.of(a.key(), b.key(), c.key()), backend.programmed().keySet(), "the others adopted");
    String saved = PodLab.sh("iptables-save") + PodLab.sh("ip6tables-save");
    for (String chain :
        List.of(n.infoChain(), n.podChain(Direction.INGRESS), n.podChain(Direction.EGRESS))) {
      assertFalse(saved.contains(chain), chain + " is left:\n" + saved);
    }
    assertFalse(saved.contains(d.hostVeth()), "dispatch still names " + d.hostVeth());
    Set<String> left = sets();
    left.retainAll(itsSets);
    assertEquals(Set.of(), left, "the gone pod's sets are destroyed");
    assertTrue(backend.health().healthy(), backend.health().detail());
  }

  /** Our chains without counters. */
  static String chains() {
    StringBuilder s = new StringBuilder();
    for (String line : (PodLab.sh("iptables-save") + PodLab.sh("ip6tables-save")).split("\n")) {
      if (line.contains(CHAINS + "-I-") || line.contains(CHAINS + "-E-")) {
        s.append(line).append('\n');
      }
    }
    return s.toString();
  }

  /** The rules of these pods' chains, without counters. */
  static String chains(PodLab.Pod... pods) {
    StringBuilder s = new StringBuilder();
    for (String line : (PodLab.sh("iptables-save") + PodLab.sh("ip6tables-save")).split("\n")) {
      for (PodLab.Pod p : pods) {
        Names n = Names.of(CHAINS, p.key());
        if (line.startsWith("-A " + n.podChain(Direction.INGRESS) + " ")
            || line.startsWith("-A " + n.podChain(Direction.EGRESS) + " ")) {
          s.append(line).append('\n');
        }
      }
    }
    return s.toString();
  }

  /** Our sets in the kernel. */
  static Set<String> sets() {
    Set<String> out = new TreeSet<>();
    for (String name : PodLab.sh("ipset", "list", "-n").split("\n")) {
      if (name.startsWith(CHAINS + "-")) {
        out.add(name.strip());
      }
    }
    return out;
  }
}
