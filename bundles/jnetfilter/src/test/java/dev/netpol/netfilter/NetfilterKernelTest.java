package dev.netpol.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  @AfterEach
  void cleanup() {
    for (Family f : Family.values()) {
      var saved = nf.save(f);
      nf.apply(
          new Netfilter.Ruleset(
              f,
              List.of(),
              saved.chains().keySet(),
              List.of(),
              saved.jumps().stream().map(j -> new Netfilter.Jump(j.chain(), j.spec())).toList()));
    }
    nf.applySets(List.of(), List.of(), List.copyOf(nf.sets().keySet()));
  }

  @Test
  void appliesReadsBackSwapsAndRemovesOnlyOurs() {
    String set = prefix + "-s4";
    String chain = prefix + "-A";
    nf.applySets(
        List.of(new IpSet(set, Family.V4, List.of(new IpSet.Member("198.18.0.0/15", false)))),
        List.of(),
        List.of());
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
}
