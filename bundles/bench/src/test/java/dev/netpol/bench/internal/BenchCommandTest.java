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
  void datapathPointsAndRoundsCanBeNarrowed() {
    BenchCommand.Options o =
        BenchCommand.Options.parse(
            List.of(
                "--rounds",
                "3",
                "datapath",
                "--peers",
                "1,50000",
                "--size",
                "full",
                "--port-ranges="));
    assertEquals(List.of(1, 50_000), o.size.peerCounts());
    assertEquals(List.of(), o.size.portRangeCounts());
    assertEquals(3, o.size.rounds());
    assertTrue(o.size.full(), o.size.describe());
    assertEquals(
        "full (peers [1, 50000], port ranges [], rounds 3)", o.size.describe(), o.size.describe());
    // the rest of a full run is unchanged
    assertEquals(Size.FULL.nodePods(), o.size.nodePods());
    assertEquals(Size.FULL.toolSeconds(), o.size.toolSeconds());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> BenchCommand.Options.parse(List.of("--peers", "1,many")))
            .getMessage()
            .contains("--peers takes positive whole numbers separated by commas, not 'many'"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> BenchCommand.Options.parse(List.of("--rounds", "0")))
            .getMessage()
            .contains("--rounds takes positive whole numbers"));
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
