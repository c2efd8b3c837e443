package dev.netpol.console.internal.pages;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void textIsEscapedForMarkupAttributesAndTheConsolesVariables() {
    assertEquals("&lt;script&gt;&amp;&quot;&#39;&#36;{x}", Html.esc("<script>&\"'${x}"));
    assertEquals(
        "a\\u0027b\\u003c/script\\u003e\\\\\\\"\\u0024",
        VerdictsPage.jsString("a'b</script>\\\"$"));
  }

  @Test
  void verdictFiltersMatchPodVerdictAndDirection() {
    var e =
        new dev.netpol.api.VerdictEvent(
            java.time.Instant.now(),
            dev.netpol.api.PodKey.parse("demo/web"),
            "ingress",
            false,
            "",
            "no-rule",
            6,
            ReachabilityTest.ip("198.18.0.2"),
            40000,
            ReachabilityTest.ip("198.18.0.3"),
            81);
    VerdictsPage.Row r = new VerdictsPage.Row(1, "ebpf", e);
    assertTrue(VerdictsPage.filter("", "", "").test(r));
    assertTrue(VerdictsPage.filter("demo/web", "denied", "ingress").test(r));
    assertTrue(VerdictsPage.filter("web", "", "").test(r));
    assertFalse(VerdictsPage.filter("demo/db", "", "").test(r));
    assertFalse(VerdictsPage.filter("", "allowed", "").test(r));
    assertFalse(VerdictsPage.filter("", "", "egress").test(r));
    assertEquals(
        "[fd00:198:18::1]:80", VerdictsPage.endpoint(ReachabilityTest.ip("fd00:198:18::1"), 80));
  }

  @Test
  void ipv6IsWrittenInItsShortForm() {
    assertEquals("::", Addresses.text(ReachabilityTest.ip("::")));
    assertEquals("::1", Addresses.text(ReachabilityTest.ip("::1")));
    assertEquals("fd00::", Addresses.text(ReachabilityTest.ip("fd00::")));
    assertEquals("1:0:2::3", Addresses.text(ReachabilityTest.ip("1:0:2:0:0:0:0:3")));
    assertEquals("1:0:0:2::3", Addresses.text(ReachabilityTest.ip("1:0:0:2:0:0:0:3")));
    assertEquals("1::2:0:0:3:0", Addresses.text(ReachabilityTest.ip("1:0:0:2:0:0:3:0")));
    assertEquals("198.18.0.1", Addresses.text(ReachabilityTest.ip("198.18.0.1")));
  }
}
