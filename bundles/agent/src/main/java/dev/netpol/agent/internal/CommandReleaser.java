package dev.netpol.agent.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Releases a backend's kernel state out of process with the {@code bin/netpol} command it
 * advertised, for a backend whose bundle is no longer running. Output is read while the command
 * runs, and the command is killed after {@link #TIMEOUT_SECONDS}.
 */
final class CommandReleaser implements BackendSwitcher.Releaser {
  static final long TIMEOUT_SECONDS = 120;
  private final String home;

  /** {@code home}: the distribution folder ({@code netpol.home}), or null when unknown. */
  CommandReleaser(String home) {
    this.home = home;
  }

  @Override
  public void release(String backend, List<String> args) throws Exception {
    if (home == null) {
      throw new IllegalStateException("netpol.home is not set: bin/netpol cannot be found");
    }
    Path netpol = Path.of(home, "bin", "netpol");
    if (!Files.isExecutable(netpol)) {
      throw new IllegalStateException(netpol + " is not executable");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(netpol.toString());
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return "";
              }
            });
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", cmd) + " did not finish in " + TIMEOUT_SECONDS + " s");
    }
    String text = out.get(5, TimeUnit.SECONDS).trim();
    if (p.exitValue() != 0) {
      String[] lines = text.split("\n");
      throw new IllegalStateException(
          String.join(" ", cmd)
              + " exited "
              + p.exitValue()
              + (text.isEmpty() ? "" : ": " + lines[lines.length - 1]));
    }
  }
}
