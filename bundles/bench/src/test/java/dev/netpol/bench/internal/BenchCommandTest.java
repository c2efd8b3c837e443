package dev.netpol.bench.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  @Test
  void defaultsAreEverySuiteQuickIntoBenchResults() {
    BenchCommand.Options o = BenchCommand.Options.parse(List.of());
    assertEquals(BenchCommand.SUITES, o.suites);
    assertEquals(Size.QUICK, o.size);
    assertEquals(Path.of("bench-results"), o.out);
    assertEquals(false, o.agentOnly);
  }

  @Test
  void agentOnlyLimitsScaleToTheAgent() {
    BenchCommand.Options o = BenchCommand.Options.parse(List.of("scale", "--agent-only"));
    assertEquals(List.of("scale"), o.suites);
    assertTrue(o.agentOnly);
    assertTrue(BenchCommand.usage().contains("--agent-only"));
  }

  @Test
  void suitesSizeOutAndBackends() {
    BenchCommand.Options o =
        BenchCommand.Options.parse(
            List.of(
                "datapath",
                "api",
                "--size=full",
                "--out",
                "/tmp/x",
                "--backends",
                "ebpf, iptables"));
    assertEquals(List.of("datapath", "api"), o.suites);
    assertEquals(Size.FULL, o.size);
    assertEquals(Path.of("/tmp/x"), o.out);
    assertEquals(List.of("ebpf", "iptables"), o.backends);
  }

  @Test
  void badInputNamesTheWord() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> BenchCommand.Options.parse(List.of("speed")))
            .getMessage()
            .contains("unknown suite 'speed'"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> BenchCommand.Options.parse(List.of("--size", "huge")))
            .getMessage()
            .contains("--size must be quick or full, not 'huge'"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> BenchCommand.Options.parse(List.of("--out")))
            .getMessage()
            .contains("--out needs a value"));
  }

  @Test
  void helpListsEverySuiteAndExitsZero() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = new BenchCommand().run(List.of("--help"), new PrintStream(out), System.err);
    assertEquals(0, rc);
    for (String s : BenchCommand.SUITES) {
      assertTrue(out.toString().contains("  " + s), out.toString());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, new BenchCommand().run(List.of("--bogus"), System.out, new PrintStream(err)));
    assertTrue(err.toString().contains("unknown option --bogus"), err.toString());
  }
}
