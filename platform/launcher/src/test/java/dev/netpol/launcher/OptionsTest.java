package dev.netpol.launcher;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {
  @Test
  void flagsBecomeFrameworkProperties() {
    Options o =
        Options.parse(
            List.of("--data-dir", "/tmp/x", "--node-name=n1", "--set", "a.b=c", "--once", "extra"));
    assertEquals("/tmp/x", o.properties.get("netpol.data.dir"));
    assertEquals("n1", o.properties.get("netpol.node.name"));
    assertEquals("c", o.properties.get("a.b"));
    assertTrue(o.once);
    assertEquals(List.of("extra"), o.rest);
  }

  @Test
  void badOptionsAreNamed() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Options.parse(List.of("--bogus")))
            .getMessage()
            .contains("--bogus"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Options.parse(List.of("--node-name")))
            .getMessage()
            .contains("--node-name"));
  }

  @Test
  void helpListsEveryCommand() {
    String h = Main.help();
    for (String c : List.of("standalone", "node", "controller", "start", "ebpf", "lab")) {
      assertTrue(h.contains(c), c);
    }
  }

  @Test
  void lateStartDurationsAreReadAndBadOnesNamed() {
    assertEquals(15_000, Container.millis(java.util.Map.of(), "netpol.late.start.timeout", "15s"));
    assertEquals(500, Container.millis(java.util.Map.of("k", "500ms"), "k", "3s"), "milliseconds");
    assertEquals(2_000, Container.millis(java.util.Map.of("k", " 2s "), "k", "3s"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    Container.millis(
                        java.util.Map.of("netpol.late.start.delay", "soon"),
                        "netpol.late.start.delay",
                        "3s"))
            .getMessage()
            .contains("netpol.late.start.delay: 'soon'"));
  }
}
