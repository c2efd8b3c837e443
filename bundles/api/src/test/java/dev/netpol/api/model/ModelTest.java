package dev.netpol.api.model;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelTest {

  @Test
  void cidrIsCanonicalised() {
    assertEquals("0.0.0.0/4", Cidr.parse("10.244.1.5/4").toString());
    assertEquals("198.18.0.0/15", Cidr.parse("198.19.7.9/15").toString());
    assertEquals("198.18.0.7/32", Cidr.parse("198.18.0.7").toString());
    assertEquals("fd00:198:18:0:0:0:0:0/48", Cidr.parse("fd00:198:18::1/48").toString());
  }

  @Test
  void badCidrsNameTheField() {
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> Cidr.parse("10.0.0.0/33", "spec.ingress[0].from[0].ipBlock.cidr"));
    assertEquals("spec.ingress[0].from[0].ipBlock.cidr", e.field());
    assertTrue(e.getMessage().contains("33"));
    assertThrows(ModelException.class, () -> Cidr.parse("300.1.1.1/8"));
    assertThrows(ModelException.class, () -> Cidr.parse("example.com"));
    assertThrows(ModelException.class, () -> Cidr.parse("10.0.0.0/"));
  }

  @Test
  void containment() throws Exception {
    Cidr wide = Cidr.parse("198.18.0.0/15");
    assertTrue(wide.contains(Cidr.parse("198.19.4.0/24")));
    assertFalse(wide.contains(Cidr.parse("198.20.0.0/24")));
    assertFalse(wide.contains(Cidr.parse("::/0")));
    assertTrue(Cidr.parse("::/0").contains(InetAddress.getByName("fd00:198:18::5")));
  }

  @Test
  void exceptMustBeStrictlyInside() {
    assertThrows(
        ModelException.class,
        () -> new Peer(Cidr.parse("10.0.0.0/8"), List.of(Cidr.parse("11.0.0.0/16"))));
    assertThrows(
        ModelException.class,
        () -> new Peer(Cidr.parse("10.0.0.0/8"), List.of(Cidr.parse("10.0.0.0/8"))));
    Peer p = new Peer(Cidr.parse("10.0.0.0/8"), List.of(Cidr.parse("10.1.0.0/16")));
    assertNotNull(p);
  }

  @Test
  void portRanges() {
    assertThrows(ModelException.class, () -> new PortRange(Protocol.TCP, 0, 10));
    assertThrows(ModelException.class, () -> new PortRange(Protocol.TCP, 100, 99));
    assertThrows(ModelException.class, () -> new PortRange(Protocol.TCP, 1, 70000));
    assertTrue(PortRange.allPorts(Protocol.UDP).matches(Protocol.UDP, 53));
    assertFalse(PortRange.single(Protocol.TCP, 80).matches(Protocol.UDP, 80));
    assertEquals(
        "unsupported protocol 'ICMP' (TCP, UDP or SCTP)",
        assertThrows(ModelException.class, () -> Protocol.parse("ICMP", "f"))
            .getMessage()
            .substring(3));
  }

  @Test
  void exceptIsScopedToItsOwnRule() throws Exception {
    // rule A: 0/0 except 198.18.0.0/16; rule B: 0/0 port 443 -> 198.18.1.1:443 is allowed
    Rule a =
        new Rule(
            List.of(new Peer(Cidr.parse("0.0.0.0/0"), List.of(Cidr.parse("198.18.0.0/16")))),
            List.of(),
            "ns/a");
    Rule b =
        new Rule(
            List.of(Peer.of(Cidr.parse("0.0.0.0/0"))),
            List.of(PortRange.single(Protocol.TCP, 443)),
            "ns/b");
    DirectionPolicy d = new DirectionPolicy(true, List.of(a, b));
    InetAddress ip = InetAddress.getByName("198.18.1.1");
    assertTrue(d.allows(ip, 6, 443));
    assertFalse(d.allows(ip, 6, 80));
    assertTrue(d.allows(InetAddress.getByName("8.8.8.8"), 17, 53));
  }

  @Test
  void digestIsStableAndSensitive() {
    PodPolicy p1 = new PodPolicy(DirectionPolicy.DENY_ALL, DirectionPolicy.ALLOW_ALL);
    PodPolicy p2 = new PodPolicy(DirectionPolicy.DENY_ALL, DirectionPolicy.ALLOW_ALL);
    assertEquals(p1.digest(), p2.digest());
    assertNotEquals(p1.digest(), PodPolicy.ALLOW_ALL.digest());
  }
}
