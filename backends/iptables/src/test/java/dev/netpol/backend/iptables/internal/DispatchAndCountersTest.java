package dev.netpol.backend.iptables.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netpol.api.BackendStatistics.VerdictCount;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.Direction;
import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.IpSet;
import dev.netpol.netfilter.Netfilter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Names, the dispatch chains and the verdict counts as read back from {@code iptables-save -c}
 * text: names are stable across versions (a restarted agent adopts what an older one wrote).
 */
class DispatchAndCountersTest {
  private static final PodKey SERVER = new PodKey("x", "server");
  private final Netfilter nf = new Netfilter("NPT", Duration.ofSeconds(5));

  @Test
  void namesAreTheOnesEarlierVersionsWrote() {
    // sha256("x/server") begins a99351c828; sha256("inet\n198.18.0.1/32") begins 4cebc18914a8e861
    assertEquals("NPT-I-a99351c828", Names.of("NPT", SERVER).podChain(Direction.INGRESS));
    assertEquals("NPT-M-a99351c828", Names.of("NPT", SERVER).infoChain());
    assertEquals(
        "NPT-S4cebc18914a8e861",
        Names.peerSet("NPT", Family.V4, List.of(new IpSet.Member("198.18.0.1/32", false))));
  }

  @Test
  void dispatchJumpsByHostInterfaceAndRecordsReadBack() throws Exception {
    PodRecord r =
        new PodRecord(
            SERVER, "veth-srv", List.of(InetAddress.getByName("198.18.0.5")), "d1", "c4", "c6");
    List<Chain> dispatch = Dispatch.chains("NPT", List.of(r));
    assertEquals(
        List.of(
            new Chain("NPT-TO-POD", List.of("-o veth-srv -j NPT-I-a99351c828")),
            new Chain("NPT-FROM-POD", List.of("-i veth-srv -j NPT-E-a99351c828"))),
        dispatch);
    Chain record = r.chain(Names.of("NPT", SERVER));
    StringBuilder save = new StringBuilder("*filter\n:FORWARD ACCEPT [0:0]\n");
    save.append(':').append(record.name()).append(" - [0:0]\n");
    for (String rule : record.rules()) {
      save.append("[0:0] -A ").append(record.name()).append(' ').append(rule).append('\n');
    }
    save.append("COMMIT\n");
    Map<String, PodRecord> read = Dispatch.records("NPT", nf.parseSave(save.toString()));
    assertEquals(Map.of(record.name(), r), read);
  }

  @Test
  void countersAddUpPerPodDirectionVerdictAndPolicyAcrossFamilies() {
    String v4 =
        """
        *filter
        :NPT-I-a99351c828 - [0:0]
        :NPT-E-a99351c828 - [0:0]
        :NPT-I-0000000000 - [0:0]
        [7:700] -A NPT-I-a99351c828 -m conntrack --ctstate ESTABLISHED -m comment --comment established -j RETURN
        [3:300] -A NPT-I-a99351c828 -p tcp --dport 80 -m comment --comment rule=x/allow-80 -j RETURN
        [2:200] -A NPT-I-a99351c828 -m comment --comment default-deny -j DROP
        [5:500] -A NPT-E-a99351c828 -m comment --comment default-allow -j RETURN
        [9:900] -A NPT-I-0000000000 -m comment --comment default-deny -j DROP
        COMMIT
        """;
    String v6 =
        """
        *filter
        :NPT-I-a99351c828 - [0:0]
        [4:400] -A NPT-I-a99351c828 -p ipv6-icmp -m comment --comment nd -j RETURN
        [1:100] -A NPT-I-a99351c828 -p tcp --dport 80 -m comment --comment rule=x/allow-80 -j RETURN
        COMMIT
        """;
    List<VerdictCount> got =
        RuleCounters.verdicts("NPT", List.of(SERVER), List.of(nf.parseSave(v4), nf.parseSave(v6)));
    assertEquals(
        List.of(
            new VerdictCount(SERVER, "ingress", true, "", PodRules.ESTABLISHED, 7),
            new VerdictCount(SERVER, "ingress", true, "x/allow-80", "rule", 4),
            new VerdictCount(SERVER, "ingress", false, "", PodRules.DEFAULT_DENY, 2),
            new VerdictCount(SERVER, "egress", true, "", PodRules.DEFAULT_ALLOW, 5)),
        got);
  }
}
