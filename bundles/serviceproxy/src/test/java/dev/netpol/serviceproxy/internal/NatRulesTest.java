package dev.netpol.serviceproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.Table;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NatRulesTest {
  private final NatRules rules = new NatRules("NPTEST", "0x40000");
  private final ServicePortEntry web =
      new ServicePortEntry(
          "x",
          "web",
          "http",
          "TCP",
          "198.19.192.10",
          80,
          List.of(
              new ServicePortEntry.Backend("198.18.64.2", 8080),
              new ServicePortEntry.Backend("198.18.64.3", 8080),
              new ServicePortEntry.Backend("198.18.64.4", 8080)));
  private final ServicePortEntry v6 =
      new ServicePortEntry(
          "x",
          "web",
          "http",
          "TCP",
          "fd00:198:18:5e::a",
          80,
          List.of(new ServicePortEntry.Backend("fd00:198:18:40::2", 8080)));

  /** The restore input of one sync through the facade: chains, stale chains deleted, hooks. */
  private String render(Family f, List<ServicePortEntry> entries, Set<String> stale) {
    return new Netfilter(rules.prefix, Duration.ofSeconds(5))
        .render(
            new Netfilter.Ruleset(
                Table.NAT, f, rules.chains(f, entries), stale, rules.hooks(), List.of()));
  }

  @Test
  void rendersKubeProxyShapedChainsWithRandomBalancing() {
    String text = render(Family.V4, List.of(web, v6), Set.of());
    String svc = rules.svcChain(web);
    assertTrue(text.startsWith("*nat\n") && text.endsWith("COMMIT\n"), text);
    assertTrue(
        text.contains(
            "-A NPTEST-SERVICES -d 198.19.192.10/32 -p tcp -m comment --comment \"x/web:http cluster IP\" -m tcp --dport 80 -j "
                + svc),
        text);
    assertTrue(text.contains("--probability 0.3333333333 -j "), text);
    assertTrue(text.contains("--probability 0.5000000000 -j "), text);
    assertEquals(3, text.lines().filter(l -> l.startsWith("-A " + svc)).count());
    assertTrue(text.contains("-j DNAT --to-destination 198.18.64.4:8080"), text);
    assertTrue(
        text.contains("-A " + rules.sepChain(web, web.backends().get(0)) + " -s 198.18.64.2/32"),
        "hairpin mark");
    assertFalse(text.contains("fd00"), "IPv6 entries stay out of the IPv4 table");
    assertTrue(
        text.contains(
            "-I PREROUTING 1 -m comment --comment \"netpol service proxy\" -j NPTEST-SERVICES\n"),
        text);
    assertTrue(text.contains("-I POSTROUTING 1 "), text);
    String six = render(Family.V6, List.of(web, v6), Set.of());
    assertTrue(
        six.contains("-d fd00:198:18:5e::a/128")
            && six.contains("--to-destination [fd00:198:18:40::2]:8080"),
        six);
  }

  @Test
  void chainNamesFitIptablesAndAreStable() {
    NatRules longest = new NatRules("ABCDEFGHIJKL", "0x40000");
    assertTrue(longest.sepChain(web, web.backends().get(0)).length() <= Netfilter.MAX_CHAIN_NAME);
    assertEquals(rules.svcChain(web), new NatRules("NPTEST", "0x1").svcChain(web));
    assertFalse(
        rules
            .sepChain(web, web.backends().get(0))
            .equals(rules.sepChain(web, web.backends().get(1))));
  }

  @Test
  void staleChainsOfOursAreFlushedAndDeleted() {
    String text = render(Family.V4, List.of(), Set.of("NPTEST-SVC-OLD"));
    assertTrue(
        text.contains(":NPTEST-SVC-OLD - [0:0]\n") && text.contains("-X NPTEST-SVC-OLD\n"), text);
    assertFalse(text.contains("-X NPTEST-SERVICES"), text);
    assertTrue(text.contains(":NPTEST-SERVICES - [0:0]\n"), "always declared (flushed): " + text);
    ServicePortEntry empty =
        new ServicePortEntry("x", "none", "", "UDP", "198.19.192.11", 53, List.of());
    assertFalse(
        render(Family.V4, List.of(empty), Set.of()).contains("198.19.192.11"),
        "no endpoints: no rule");
  }

  @Test
  void badPrefixIsNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new NatRules("bad prefix!", "0x1"));
    assertTrue(e.getMessage().contains("netpol.serviceproxy.chain-prefix"), e.getMessage());
  }
}
