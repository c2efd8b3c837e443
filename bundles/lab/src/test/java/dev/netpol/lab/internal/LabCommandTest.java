package dev.netpol.lab.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line without touching the kernel: help texts, and bad input named clearly. */
class LabCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    out.reset();
    err.reset();
    return new LabCommand()
        .run(
            List.of(args),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everySubcommandHasHelp() throws Exception {
    assertEquals(0, run("--help"));
    assertTrue(out().contains("pod add") && out().contains("--kubeconfig"), out());
    for (List<String> cmd :
        List.of(
            List.of("up"),
            List.of("pod"),
            List.of("pod", "add"),
            List.of("pod", "rm"),
            List.of("rm"),
            List.of("probe"),
            List.of("list"),
            List.of("down"))) {
      String[] args =
          new java.util.ArrayList<String>(cmd) {
            {
              add("--help");
            }
          }.toArray(String[]::new);
      assertEquals(0, run(args), String.join(" ", cmd));
      assertTrue(out().startsWith("usage: netpol lab"), String.join(" ", cmd) + ": " + out());
    }
  }

  @Test
  void aMissingKubeconfigFailsBeforeAnythingIsMade(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    assertEquals(
        1,
        run(
            "pod",
            "add",
            "x/a",
            "--kubeconfig",
            dir.resolve("nope").toString(),
            "--data-dir",
            dir.toString()));
    assertTrue(err().contains("cannot read the kubeconfig " + dir.resolve("nope")), err());
    assertTrue(!java.nio.file.Files.exists(dir.resolve("state.json")), "nothing recorded");
  }

  @Test
  void badInputIsNamed() throws Exception {
    assertEquals(2, run("frobnicate"));
    assertTrue(err().contains("unknown subcommand 'frobnicate'"), err());
    assertEquals(2, run("pod", "add", "x/a", "--no-api", "--bogus"));
    assertTrue(err().contains("unknown option --bogus"), err());
    assertEquals(2, run("pod", "add", "xa", "--no-api"));
    assertTrue(err().contains("'xa' is not NS/NAME"), err());
    assertEquals(2, run("pod", "add", "x/a", "--no-api", "--serve", "80/icmp"));
    assertTrue(err().contains("'icmp' is not tcp, udp or sctp"), err());
    assertEquals(2, run("pod", "add", "x/a", "--no-api", "--labels", "novalue"));
    assertTrue(err().contains("label 'novalue' is not KEY=VALUE"), err());
    assertEquals(2, run("pod", "add", "x/a", "--no-api", "--pool4", "10.0.0.0/24"));
    assertTrue(err().contains("must be inside 198.18.0.0/15"), err());
    assertEquals(2, run("probe", "x/a", "y/b", "eighty"));
    assertTrue(err().contains("'eighty' is not a number"), err());
    assertEquals(2, run("probe", "x/a", "y/b", "80", "--timeout", "soon"));
    assertTrue(err().contains("timeout 'soon'"), err());
  }
}
