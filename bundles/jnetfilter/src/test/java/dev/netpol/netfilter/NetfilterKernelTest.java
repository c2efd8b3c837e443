package dev.netpol.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.netfilter.process.Processes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Real iptables-restore/ipset restore round trips under a prefix of this run only. */
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
class NetfilterKernelTest {
  private final String prefix = "NPF" + Long.toHexString(ProcessHandle.current().pid() & 0xffff);
  private final Netfilter nf = new Netfilter(prefix, Duration.ofSeconds(20));

  /** Another owner whose prefix starts like ours: nothing of ours may touch its chains. */
  private final Netfilter neighbour = new Netfilter(prefix + "X", Duration.ofSeconds(20));

  @AfterEach
  void cleanup() {
    for (Netfilter owner : List.of(nf, neighbour)) {
      for (Family f : Family.values()) {
        for (Table t : Table.values()) {
          owner.removeAll(f, t);
        }
      }
    }
    nf.removeAllSets();
  }

  @Test
  void natChainsAndTheirHooksAreWrittenOnceAndRemovedWithoutTouchingOthers() {
    String svc = prefix + "-SERVICES";
    String post = prefix + "-POSTROUTING";
    for (Family f : Family.values()) {
      String host = f == Family.V4 ? "198.18.255.254/32" : "fd00:198:18:ff::fe/128";
      String to = f == Family.V4 ? "198.18.255.253:80" : "[fd00:198:18:ff::fd]:80";
      List<Chain> chains =
          List.of(
              new Chain(
                  svc,
                  List.of(
                      "-d " + host + " -p tcp -m tcp --dport 80 -j DNAT --to-destination " + to)),
              new Chain(post, List.of("-m mark --mark 0x40000/0x40000 -j MASQUERADE")));
      List<Netfilter.Jump> hooks =
          List.of(
              new Netfilter.Jump("PREROUTING", "-m comment --comment npf -j " + svc),
              new Netfilter.Jump("OUTPUT", "-m comment --comment npf -j " + svc),
              new Netfilter.Jump("POSTROUTING", "-m comment --comment npf -j " + post));
      String other = prefix + "X-SERVICES";
      neighbour.apply(
          new Netfilter.Ruleset(
              Table.NAT,
              f,
              List.of(new Chain(other, List.of("-j RETURN"))),
              Set.of(),
              List.of(new Netfilter.Jump("OUTPUT", "-j " + other)),
              List.of()));
      // a sync twice: the second finds every hook present and inserts none
      for (int round = 0; round < 2; round++) {
        var saved = nf.save(f, Table.NAT);
        assertEquals(round == 0 ? hooks : List.of(), saved.missing(hooks), f + " round " + round);
        nf.apply(
            new Netfilter.Ruleset(Table.NAT, f, chains, Set.of(), saved.missing(hooks), List.of()));
      }
      var saved = nf.save(f, Table.NAT);
      assertEquals(Set.of(svc, post), saved.chains().keySet());
      assertEquals(3, saved.jumps().size(), f + " one copy of each hook: " + saved.jumps());
      assertTrue(saved.chains().get(svc).get(0).spec().contains("DNAT"));
      assertEquals(Set.of(), nf.save(f).chains().keySet(), "nothing of ours in filter");
      nf.removeAll(f, Table.NAT);
      String all =
          Processes.check(List.of(f.tool() + "-save", "-t", "nat"), null, Duration.ofSeconds(20));
      assertFalse(all.contains(prefix + "-"), f + " no chain or hook of ours left:\n" + all);
      assertTrue(
          all.contains(":" + other) && all.contains("-A OUTPUT -j " + other),
          f + " the neighbour's chain and hook stay");
    }
  }

  @Test
  void appliesReadsBackSwapsAndRemovesOnlyOurs() {
    String set = prefix + "-s4";
    String chain = prefix + "-A";
    nf.applySets(
        List.of(new IpSet(set, Family.V4, List.of(new IpSet.Member("198.18.0.0/15", false)))),
        List.of(),
        List.of());
    assertTrue(
        Processes.check(List.of("ipset", "list", "-t", set), null, Duration.ofSeconds(5))
            .contains("hashsize 64 "),
        "a small set gets the smallest hash table");
    for (Family f : Family.values()) {
      String match = f == Family.V4 ? "-m set --match-set " + set + " src " : "";
      nf.apply(
          new Netfilter.Ruleset(
              f,
              List.of(
                  new Chain(chain, List.of(match + "-m comment --comment \"pod a/b\" -j RETURN"))),
              Set.of(),
              List.of(
                  new Netfilter.Jump(
                      "OUTPUT", "-o lo -m comment --comment " + prefix + " -j " + chain)),
              List.of()));
      var saved = nf.save(f);
      assertEquals(Set.of(chain), saved.chains().keySet());
      assertEquals("pod a/b", saved.chains().get(chain).get(0).comment());
      assertEquals(1, saved.jumps().size());
    }
    nf.applySets(
        List.of(),
        List.of(
            new IpSet(
                set,
                Family.V4,
                List.of(
                    new IpSet.Member("198.18.0.0/16", false),
                    new IpSet.Member("198.18.1.0/24", true)))),
        List.of());
    assertEquals(2, nf.sets().get(set).members().size());
    assertTrue(
        Processes.run(List.of("ipset", "test", set, "198.18.1.5"), Duration.ofSeconds(5)).rc()
            != 0);
    assertEquals(
        0, Processes.run(List.of("ipset", "test", set, "198.18.2.5"), Duration.ofSeconds(5)).rc());
    // a failing transaction changes nothing (iptables-restore commits all or nothing)
    assertThrows(
        Processes.CommandFailedException.class,
        () ->
            nf.apply(
                new Netfilter.Ruleset(
                    Family.V4,
                    List.of(new Chain(chain, List.of("-j DROP", "-m nosuchmatch -j RETURN"))),
                    Set.of(),
                    List.of(),
                    List.of())));
    assertEquals("RETURN", nf.save(Family.V4).chains().get(chain).get(0).target());
  }

  @Test
  void createAbsentRefusesASetThatExistsAndKeepsItsMembers() {
    IpSet a =
        new IpSet(prefix + "-a", Family.V4, List.of(new IpSet.Member("198.18.1.0/24", false)));
    IpSet b =
        new IpSet(prefix + "-b", Family.V6, List.of(new IpSet.Member("fd00:198:18::/64", false)));
    nf.createAbsent(List.of(a, b));
    assertEquals(a.members(), nf.sets().get(a.name()).members());
    assertEquals(b.members(), nf.sets().get(b.name()).members());

    IpSet c =
        new IpSet(prefix + "-c", Family.V4, List.of(new IpSet.Member("198.18.3.0/24", false)));
    IpSet aAgain =
        new IpSet(a.name(), Family.V4, List.of(new IpSet.Member("198.18.9.0/24", false)));
    var e =
        assertThrows(
            Processes.CommandFailedException.class, () -> nf.createAbsent(List.of(c, aAgain)));
    assertTrue(e.getMessage().contains("exist"), e.getMessage());
    assertEquals(a.members(), nf.sets().get(a.name()).members(), "not emptied, nothing added");
    assertEquals(c.members(), nf.sets().get(c.name()).members(), "the sets before it exist");
  }
}
