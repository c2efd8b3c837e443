package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Route lookups from /proc/net tables as this kernel prints them (no process forked). */
class InterfaceFinderTest {
  static final String ROUTE4 =
      """
      Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
      eth0	00000000	010200C0	0003	0	0	0	00000000	0	0	0
      eth0	000200C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
      *	000012C6	00000000	0001	0	0	0	0000FEFF	0	0	0
      sm1234x	02FE13C6	00000000	0005	0	0	0	FFFFFFFF	0	0	0
      """;
  static final String ROUTE6 =
      """
      fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
      fd000198001800200000000000000011 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000003 00000000 00000001 npd9c17h1
      fd000198001800000000000000000000 30 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000003 00000000 00200201       lo
      fd000000000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001       lo
      """;

  static byte[] ip(String s) throws Exception {
    return InetAddress.getByName(s).getAddress();
  }

  @Test
  void mostSpecificRouteWinsAndRejectOrLocalRoutesAreNotPods() throws Exception {
    assertEquals(Optional.of("sm1234x"), InterfaceFinder.lookup4(ROUTE4, ip("198.19.254.2")));
    assertTrue(InterfaceFinder.lookup4(ROUTE4, ip("198.18.0.9")).isEmpty(), "blackhole");
    assertEquals(Optional.of("eth0"), InterfaceFinder.lookup4(ROUTE4, ip("192.0.2.9")));
    assertEquals(
        Optional.of("npd9c17h1"), InterfaceFinder.lookup6(ROUTE6, ip("fd00:198:18:20::11")));
    assertTrue(InterfaceFinder.lookup6(ROUTE6, ip("fd00:198:18:20::12")).isEmpty(), "blackhole");
    assertTrue(InterfaceFinder.lookup6(ROUTE6, ip("fd00::2")).isEmpty(), "local address on lo");
  }

  @Test
  void findsTheLoopbackRouteOfThisMachineAsNoPod() throws Exception {
    assertTrue(new InterfaceFinder().find(InetAddress.getByName("127.0.0.1")).isEmpty());
  }
}
