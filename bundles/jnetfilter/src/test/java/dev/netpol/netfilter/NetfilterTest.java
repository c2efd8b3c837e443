package dev.netpol.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.netfilter.process.Processes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rendering, parsing, the ownership check and the process helper's deadline (no kernel). */
class NetfilterTest {
  private final Netfilter nf = new Netfilter("NPQ", Duration.ofSeconds(10));

  @Test
  void rendersOneTransactionAndRefusesForeignNames() {
    var r =
        new Netfilter.Ruleset(
            Family.V4,
            List.of(new Chain("NPQ-A", List.of("-j RETURN"))),
            Set.of("NPQ-OLD"),
            List.of(new Netfilter.Jump("FORWARD", "-j NPQ-A")),
            List.of());
    assertEquals(
        "*filter\n:NPQ-A - [0:0]\n:NPQ-OLD - [0:0]\n-A NPQ-A -j RETURN\n"
            + "-I FORWARD 1 -j NPQ-A\n-X NPQ-OLD\nCOMMIT\n",
        nf.render(r));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            nf.render(
                new Netfilter.Ruleset(
                    Family.V4,
                    List.of(new Chain("KUBE-X", List.of())),
                    Set.of(),
                    List.of(),
                    List.of())));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            nf.render(
                new Netfilter.Ruleset(
                    Family.V4,
                    List.of(),
                    Set.of(),
                    List.of(new Netfilter.Jump("FORWARD", "-j ACCEPT")),
                    List.of())));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            nf.renderSets(List.of(new IpSet("other", Family.V4, List.of())), List.of(), List.of()));
  }

  @Test
  void swapsChangedSetsThroughATemporarySet() {
    var set = new IpSet("NPQ-s", Family.V6, List.of(new IpSet.Member("fd00::/8", false)));
    String s = nf.renderSets(List.of(), List.of(set), List.of("NPQ-old"));
    assertTrue(s.contains("create NPQ-st hash:net family inet6"), s);
    assertTrue(s.contains("add NPQ-st fd00::/8\nswap NPQ-st NPQ-s\ndestroy NPQ-st\n"), s);
    assertTrue(s.endsWith("destroy NPQ-old\n"), s);
  }

  @Test
  void absentSetsAreCreatedWithoutExistOrFlush() {
    var set = new IpSet("NPQ-n", Family.V4, List.of(new IpSet.Member("10.0.0.0/8", true)));
    assertEquals(
        "create NPQ-n hash:net family inet hashsize 64 maxelem "
            + IpSet.MAX_ELEMENTS
            + "\nadd NPQ-n 10.0.0.0/8 nomatch\n",
        nf.renderAbsent(List.of(set)));
    assertThrows(
        IllegalArgumentException.class,
        () -> nf.renderAbsent(List.of(new IpSet("other", Family.V4, List.of()))));
  }

  @Test
  void setsAreCreatedWithAHashSizeForTheirMembers() {
    List<IpSet.Member> many = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(new IpSet.Member("10.0." + (i / 250) + "." + (i % 250) + "/32", false));
    }
    var small = new IpSet("NPQ-a", Family.V4, List.of(new IpSet.Member("10.0.0.1/32", false)));
    var big = new IpSet("NPQ-b", Family.V4, many);
    assertEquals(64, small.hashSize());
    assertEquals(256, big.hashSize());
    assertEquals(64, new IpSet("NPQ-c", Family.V4, many.subList(0, 256)).hashSize());
    assertEquals(128, new IpSet("NPQ-c", Family.V4, many.subList(0, 257)).hashSize());
    String s = nf.renderSets(List.of(small, big), List.of(), List.of());
    assertTrue(s.contains("create NPQ-a hash:net family inet hashsize 64 maxelem "), s);
    assertTrue(s.contains("create NPQ-b hash:net family inet hashsize 256 maxelem "), s);
  }

  @Test
  void parsesOnlyOurChainsSetsAndJumps() {
    var saved =
        nf.parseSave(
            """
            *filter
            :INPUT ACCEPT [0:0]
            :NPQ-A - [0:0]
            :KUBE-X - [0:0]
            [3:180] -A FORWARD -m comment --comment "netpol:NPQ" -j NPQ-A
            [1:60] -A FORWARD -j KUBE-X
            [7:420] -A NPQ-A -p tcp -m set --match-set NPQ-s src -m comment --comment "rule=a/b x" -j RETURN
            [0:0] -A KUBE-X -j ACCEPT
            COMMIT
            """);
    assertEquals(Set.of("NPQ-A"), saved.chains().keySet());
    SavedRule r = saved.chains().get("NPQ-A").get(0);
    assertEquals(7, r.packets());
    assertEquals("rule=a/b x", r.comment());
    assertEquals("RETURN", r.target());
    assertEquals(1, saved.jumps().size());
    var sets =
        nf.parseSets(
            """
            create NPQ-s hash:net family inet hashsize 1024 maxelem 65536
            add NPQ-s 10.0.0.0/8
            add NPQ-s 10.1.0.0/16 nomatch
            create other hash:net family inet
            add other 1.0.0.0/8
            """);
    assertEquals(Set.of("NPQ-s"), sets.keySet());
    assertEquals(
        List.of(new IpSet.Member("10.0.0.0/8", false), new IpSet.Member("10.1.0.0/16", true)),
        sets.get("NPQ-s").members());
  }

  @Test
  void natTableHooksAreOursOnlyAndInsertedWhenMissing() {
    var r =
        new Netfilter.Ruleset(
            Table.NAT,
            Family.V6,
            List.of(new Chain("NPQ-SVC", List.of("-p tcp -j DNAT --to-destination [fd00::2]:80"))),
            Set.of(),
            List.of(new Netfilter.Jump("PREROUTING", "-m comment --comment x -j NPQ-SVC")),
            List.of(new Netfilter.Jump("POSTROUTING", "-j NPQ-OLD")));
    assertEquals(
        "*nat\n:NPQ-SVC - [0:0]\n-D POSTROUTING -j NPQ-OLD\n"
            + "-A NPQ-SVC -p tcp -j DNAT --to-destination [fd00::2]:80\n"
            + "-I PREROUTING 1 -m comment --comment x -j NPQ-SVC\nCOMMIT\n",
        nf.render(r));
    // FORWARD is no chain of nat, PREROUTING none of filter; a hook must jump to one of ours
    for (var bad :
        List.of(
            new Netfilter.Ruleset(
                Table.NAT,
                Family.V4,
                List.of(),
                Set.of(),
                List.of(new Netfilter.Jump("FORWARD", "-j NPQ-SVC")),
                List.of()),
            new Netfilter.Ruleset(
                Family.V4,
                List.of(),
                Set.of(),
                List.of(new Netfilter.Jump("PREROUTING", "-j NPQ-SVC")),
                List.of()),
            new Netfilter.Ruleset(
                Table.NAT,
                Family.V4,
                List.of(),
                Set.of(),
                List.of(new Netfilter.Jump("OUTPUT", "-j KUBE-SERVICES")),
                List.of()))) {
      var e = assertThrows(IllegalArgumentException.class, () -> nf.render(bad));
      assertTrue(e.getMessage().contains(bad.insert().get(0).builtin()), e.getMessage());
    }
    var saved =
        nf.parseSave(
            """
            *filter
            :NPQ-F - [0:0]
            [0:0] -A OUTPUT -j NPQ-F
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :NPQ-SVC - [0:0]
            :KUBE-SERVICES - [0:0]
            [2:120] -A PREROUTING -m comment --comment "netpol service proxy" -j NPQ-SVC
            [0:0] -A PREROUTING -j KUBE-SERVICES
            [0:0] -A NPQ-SVC -p tcp -j DNAT --to-destination 198.18.0.2:80
            COMMIT
            """,
            Table.NAT);
    assertEquals(
        Set.of("NPQ-SVC"), saved.chains().keySet(), "the filter table's chain is not read");
    var wanted =
        List.of(
            new Netfilter.Jump("PREROUTING", "-m comment --comment y -j NPQ-SVC"),
            new Netfilter.Jump("OUTPUT", "-m comment --comment y -j NPQ-SVC"));
    assertEquals(List.of(wanted.get(1)), saved.missing(wanted));
    assertEquals(
        List.of(
            new Netfilter.Jump(
                "PREROUTING", "-m comment --comment \"netpol service proxy\" -j NPQ-SVC")),
        saved.hooks());
    assertEquals(Family.V6, Family.of("fd00::1"));
    assertEquals(Family.V4, Family.of("198.18.0.1/32"));
  }

  @Test
  void processHelperKillsAtTheDeadlineAndDrainsLargeOutput() {
    long t0 = System.nanoTime();
    // a child that fills its pipe and then hangs: the old helpers blocked in readAllBytes forever
    var r =
        Processes.run(
            List.of("sh", "-c", "head -c 200000 /dev/zero; sleep 30"), Duration.ofMillis(500));
    assertTrue(r.timedOut());
    assertFalse(r.ok());
    assertEquals(200000, r.out().length());
    assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "killed at the deadline");
    var ok = Processes.run(List.of("sh", "-c", "cat; echo err >&2"), "in", Duration.ofSeconds(10));
    assertEquals("in", ok.out());
    assertEquals("err\n", ok.err());
    var bad = Processes.run(List.of("sh", "-c", "echo nope >&2; exit 3"), Duration.ofSeconds(10));
    var e = assertThrows(Processes.CommandFailedException.class, bad::checked);
    assertTrue(
        e.getMessage().contains("exit 3") && e.getMessage().contains("nope"), e.getMessage());
  }
}
