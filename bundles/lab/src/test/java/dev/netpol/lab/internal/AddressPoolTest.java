package dev.netpol.lab.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressPoolTest {
  @Test
  void addressesByIndexInBothFamilies() {
    AddressPool v4 = AddressPool.parse("198.18.64.0/18");
    assertEquals("198.18.64.2", v4.address(2));
    assertEquals("198.18.65.0", v4.address(256));
    AddressPool v6 = AddressPool.parse("fd00:198:18:40::/58");
    assertEquals("fd00:198:18:40::2", v6.address(2));
    assertEquals("fd00:198:18:40::1:0", v6.address(65536));
    assertThrows(
        IllegalArgumentException.class, () -> AddressPool.parse("198.18.64.0/30").address(4));
  }

  @Test
  void firstFreeSkipsNetworkGatewayAndUsed() {
    AddressPool p = AddressPool.parse("198.18.64.0/29");
    assertEquals(2, p.firstFree(Set.of()));
    assertEquals(4, p.firstFree(Set.of("198.18.64.2", "198.18.64.3")));
    IllegalStateException full =
        assertThrows(
            IllegalStateException.class,
            () ->
                p.firstFree(
                    Set.of(
                        "198.18.64.2",
                        "198.18.64.3",
                        "198.18.64.4",
                        "198.18.64.5",
                        "198.18.64.6")));
    assertTrue(full.getMessage().contains("198.18.64.0/29"), full.getMessage());
  }

  @Test
  void containmentAndBadInput() {
    assertTrue(AddressPool.parse("198.18.70.0/24").within(AddressPool.LAB4));
    assertFalse(AddressPool.parse("10.0.0.0/24").within(AddressPool.LAB4));
    assertFalse(AddressPool.parse("fd00:198:18::/48").within(AddressPool.LAB4));
    assertTrue(AddressPool.parse("fd00:198:18:45::/64").within(AddressPool.LAB6));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> AddressPool.parse("198.18.64.1/24"))
            .getMessage()
            .contains("host bits"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> AddressPool.parse("198.18.64.0"))
            .getMessage()
            .contains("no /prefix"));
  }

  @Test
  void compressesLikeIproute() {
    assertEquals("fd00:198:18:40::2", AddressPool.compress("fd00:198:18:40:0:0:0:2"));
    assertEquals("1:0:2::3", AddressPool.compress("1:0:2:0:0:0:0:3"));
    assertEquals("::1", AddressPool.compress("0:0:0:0:0:0:0:1"));
  }
}
