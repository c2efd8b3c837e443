package dev.netpol.backend.ebpf.internal.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.backend.ebpf.internal.abi.Abi;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RuleCompilerTest {
  static Cidr c(String s) {
    return Cidr.parse(s);
  }

  @Test
  void portRangesSplitIntoAlignedBlocks() {
    assertEquals(List.of(new PortBlocks.Block(0, 0)), PortBlocks.of(0, 65535));
    assertEquals(List.of(new PortBlocks.Block(80, 16)), PortBlocks.of(80, 80));
    assertEquals(
        List.of(
            new PortBlocks.Block(1000, 13),
            new PortBlocks.Block(1008, 12),
            new PortBlocks.Block(1024, 6)),
        PortBlocks.of(1000, 2047));
    Random r = new Random(7);
    for (int i = 0; i < 2000; i++) {
      int a = 1 + r.nextInt(65535);
      int b = a + r.nextInt(65536 - a);
      List<PortBlocks.Block> blocks = PortBlocks.of(a, b);
      assertTrue(blocks.size() <= 30, "at most 2*15 blocks");
      int next = a;
      for (PortBlocks.Block blk : blocks) {
        assertEquals(next, blk.first());
        assertEquals(0, blk.first() % (1 << (16 - blk.bits())), "aligned");
        next = blk.last() + 1;
      }
      assertEquals(b + 1, next);
    }
  }

  @Test
  void exceptIsScopedToItsRule() {
    Rule a =
        new Rule(List.of(new Peer(c("0.0.0.0/0"), List.of(c("198.18.0.0/16")))), List.of(), "ns/a");
    Rule b =
        new Rule(
            List.of(Peer.of(c("0.0.0.0/0"))), List.of(PortRange.single(Protocol.TCP, 443)), "ns/b");
    var compiled = RuleCompiler.compile(new DirectionPolicy(true, List.of(a, b)), 1, "t");
    assertTrue(RuleCompiler.allows(compiled, c("198.18.3.4/32"), 6, 443));
    assertFalse(RuleCompiler.allows(compiled, c("198.18.3.4/32"), 6, 80));
    assertTrue(RuleCompiler.allows(compiled, c("198.20.3.4/32"), 17, 53));
  }

  @Test
  void classesAreShared() {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rules.add(
          new Rule(
              List.of(Peer.of(c("198.18." + (i / 250) + "." + (i % 250) + "/32"))),
              List.of(PortRange.single(Protocol.TCP, 80), new PortRange(Protocol.TCP, 8000, 8999)),
              "ns/p"));
    }
    var compiled = RuleCompiler.compile(new DirectionPolicy(true, rules), 1, "t");
    long portKeys =
        compiled.entries().stream().filter(e -> e.getKey().kind() == Abi.KEY_PORT).count();
    assertEquals(1, compiled.classOrigins().size(), "one port set, one class");
    assertEquals(1 + 1000 + portKeys, compiled.size());
    assertTrue(portKeys < 12, "ranges cost a few keys: " + portKeys);
  }

  @Test
  void notIsolatedIsOneMetaEntry() {
    var compiled = RuleCompiler.compile(DirectionPolicy.ALLOW_ALL, 5, "t");
    assertEquals(1, compiled.size());
    assertEquals(Abi.STATE_DEFAULT_ALLOW, compiled.entries().get(0).getValue().state());
    assertEquals(5, compiled.entries().get(0).getValue().generation());
  }

  @Test
  void isolatedWithoutRulesIsDefaultDeny() {
    var compiled = RuleCompiler.compile(DirectionPolicy.DENY_ALL, 9, "t");
    assertEquals(1, compiled.size());
    assertEquals(Abi.STATE_DEFAULT_DENY, compiled.entries().get(0).getValue().state());
    assertFalse(RuleCompiler.allows(compiled, c("198.18.0.1/32"), 6, 80));
  }

  /**
   * The compiled trie decides like the model's reference semantics, on random policies and packets.
   */
  @Test
  void matchesReferenceSemantics() throws Exception {
    Random r = new Random(42);
    for (int round = 0; round < 60; round++) {
      List<Rule> rules = new ArrayList<>();
      int n = 1 + r.nextInt(6);
      for (int i = 0; i < n; i++) {
        List<Peer> peers = new ArrayList<>();
        for (int p = 0; p < 1 + r.nextInt(2); p++) {
          int len = 8 + r.nextInt(20);
          Cidr cidr = new Cidr(randomAddr(r), len);
          List<Cidr> except = new ArrayList<>();
          if (r.nextBoolean()) {
            Cidr e = new Cidr(withPrefix(cidr, r), len + 1 + r.nextInt(32 - len));
            except.add(e);
          }
          peers.add(new Peer(cidr, except));
        }
        List<PortRange> ports = new ArrayList<>();
        if (r.nextInt(4) > 0) {
          for (int p = 0; p < 1 + r.nextInt(3); p++) {
            Protocol proto = Protocol.values()[r.nextInt(3)];
            int first = 1 + r.nextInt(100);
            ports.add(
                r.nextBoolean()
                    ? PortRange.single(proto, first)
                    : new PortRange(proto, first, first + r.nextInt(50)));
          }
        }
        rules.add(new Rule(peers, ports, "ns/r" + i));
      }
      DirectionPolicy policy = new DirectionPolicy(true, rules);
      var compiled = RuleCompiler.compile(policy, 1, "t");
      for (int q = 0; q < 300; q++) {
        Rule pick = rules.get(r.nextInt(rules.size()));
        InetAddress ip = withPrefix(pick.peers().get(0).cidr(), r);
        if (r.nextInt(5) == 0) {
          ip = randomAddr(r);
        }
        int proto = new int[] {6, 17, 132, 1}[r.nextInt(4)];
        int port = proto == 1 ? 0 : 1 + r.nextInt(160);
        assertEquals(
            policy.allows(ip, proto, port),
            RuleCompiler.allows(compiled, Cidr.host(ip), proto, port),
            "round " + round + ": " + ip + " proto " + proto + " port " + port + " rules " + rules);
      }
    }
  }

  static InetAddress randomAddr(Random r) throws Exception {
    byte[] b = new byte[4];
    r.nextBytes(b);
    b[0] = (byte) (198 + r.nextInt(2));
    return InetAddress.getByAddress(b);
  }

  static InetAddress withPrefix(Cidr cidr, Random r) {
    try {
      byte[] base = cidr.bytes();
      byte[] rnd = new byte[4];
      r.nextBytes(rnd);
      for (int i = 0; i < 4; i++) {
        int keep = Math.max(0, Math.min(8, cidr.prefixLength() - i * 8));
        int mask = (0xff << (8 - keep)) & 0xff;
        base[i] = (byte) ((base[i] & mask) | (rnd[i] & ~mask));
      }
      return InetAddress.getByAddress(base);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
