package dev.netpol.itests;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/netpol as a user meets it: help, errors, start with every bundle active, clean SIGTERM. */
class LauncherIT {
  static Path netpol() {
    return NetpolOptions.dist().resolve("bin/netpol");
  }

  static String run(List<String> args, int expectedExit) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(netpol().toString()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(expectedExit, p.exitValue(), out);
    return out;
  }

  @Test
  void helpListsTheCommands() throws Exception {
    String out = run(List.of("--help"), 0);
    for (String c : List.of("standalone", "node", "controller", "ebpf", "lab")) {
      assertTrue(out.contains(c), out);
    }
    assertTrue(run(List.of("standalone", "--help"), 0).contains("--data-dir"));
  }

  @Test
  void badInputIsNamed() throws Exception {
    assertTrue(run(List.of("frobnicate"), 2).contains("unknown command 'frobnicate'"));
    assertTrue(run(List.of("start", "--bogus"), 2).contains("unknown option --bogus"));
  }

  @Test
  void startsEveryBundleAndStopsCleanlyOnSigterm() throws Exception {
    Path data = Files.createTempDirectory("netpol-launcher-it");
    Process p =
        new ProcessBuilder(netpol().toString(), "start", "--data-dir", data.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String status = null;
    for (String line; (line = r.readLine()) != null; ) {
      if (line.startsWith("netpol start:")) {
        status = line;
        break;
      }
    }
    assertNotNull(status, "no status line");
    assertTrue(status.contains("all ACTIVE"), status);
    new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid()))
        .start()
        .waitFor(); // as a DaemonSet pod is stopped
    StringBuilder rest = new StringBuilder();
    for (String line; (line = r.readLine()) != null; ) {
      rest.append(line).append('\n');
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "did not stop within 30 s");
    assertEquals(143, p.exitValue(), "exit status of a SIGTERM'd JVM");
    assertTrue(rest.toString().contains("netpol: stopping"), rest.toString());
  }
}
