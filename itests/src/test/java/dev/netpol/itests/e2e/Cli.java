package dev.netpol.itests.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs commands as a user would type them: output (stdout and stderr merged) and exit status. */
final class Cli {
  record Result(List<String> command, int exit, String out) {
    boolean ok() {
      return exit == 0;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + " -> exit " + exit + "\n" + out;
    }
  }

  private Cli() {}

  static Path netpol() {
    String dist = System.getProperty("netpol.dist", "../distribution/target/netpol");
    return Path.of(dist).toAbsolutePath().normalize().resolve("bin/netpol");
  }

  static Result run(long timeoutSeconds, List<String> command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      CompletableFuture<byte[]> out =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                  return new byte[0];
                }
              });
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Result(
            command,
            -1,
            "TIMEOUT after " + timeoutSeconds + " s\n" + new String(out.getNow(new byte[0])));
      }
      return new Result(
          command, p.exitValue(), new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    } catch (Exception e) {
      return new Result(command, -2, e.toString());
    }
  }

  static Result run(String... command) {
    return run(60, List.of(command));
  }

  /** bin/netpol with these arguments. */
  static Result netpol(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(netpol().toString());
    cmd.addAll(args);
    return run(60, cmd);
  }

  static Result netpol(String... args) {
    return netpol(List.of(args));
  }

  /** Several bin/netpol commands at once (each is a JVM start of a few seconds). */
  @SafeVarargs
  static List<Result> netpolParallel(List<String>... commands) {
    List<CompletableFuture<Result>> fs = new ArrayList<>();
    for (List<String> c : commands) {
      fs.add(CompletableFuture.supplyAsync(() -> netpol(c)));
    }
    return fs.stream().map(CompletableFuture::join).toList();
  }
}
