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
}
