package dev.netpol.itests.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddressesTest {
  @Test
  void largeCidrIsTheMaskedSlash4() {
    assertEquals("0.0.0.0/4", new FakeEnv(false).largeCidr("x/b"));
    assertEquals("10.0.0.11/32", new FakeEnv(false).hostCidr("x/b"));
    assertEquals("fd00:10::b/128", new FakeEnv(true).hostCidr("x/b"));
    assertEquals("f000::/4", new FakeEnv(true).largeCidr("x/b"));
  }

  @Test
  void formatsRfc5952() {
    assertEquals(
        "fd00:198:18:236::a", Addresses.format(Addresses.parse("fd00:198:18:236:0:0:0:a")));
    assertEquals("::", Addresses.format(new byte[16]));
    assertEquals("1:0:2::", Addresses.format(Addresses.parse("1:0:2:0:0:0:0:0")));
    assertEquals("198.19.236.10", Addresses.format(Addresses.parse("198.19.236.10")));
    assertThrows(IllegalArgumentException.class, () -> Addresses.parse("example.com"));
  }

  @Test
  void cidrMembershipOfTheReferenceEvaluator() {
    assertTrue(ReferenceEvaluator.inCidr("198.19.236.10", "192.0.0.0/4"));
    assertFalse(ReferenceEvaluator.inCidr("198.19.236.10", "198.19.236.11/32"));
    assertFalse(ReferenceEvaluator.inCidr("fd00::1", "0.0.0.0/0"));
  }
}
