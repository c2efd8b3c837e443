package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl binary against a kubeconfig, with its own discovery cache directory. */
final class Kubectl {
  static final Path BINARY = Path.of("/usr/bin/kubectl");

  record Result(int rc, String out, String err) {
    Result ok() {
      assertEquals(0, rc, () -> "kubectl failed: " + err + out);
      return this;
    }
  }

  private final Path kubeconfig;
  private final Path work;
  private int counter;
  private final Map<Process, Integer> outputs = new java.util.concurrent.ConcurrentHashMap<>();

  Kubectl(Path kubeconfig, Path work) {
    this.kubeconfig = kubeconfig;
    this.work = work;
  }

  Result run(String... args) {
    return run(Map.of(), null, args);
  }

  /** Runs kubectl with stdin text (may be null) and extra environment. */
  Result run(Map<String, String> env, String stdin, String... args) {
    try {
      Process p = start(env, stdin, args);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " timed out");
      }
      return result(p);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Starts kubectl in the background (for get -w); read it with {@link #result}. */
  Process start(Map<String, String> env, String stdin, String... args) throws IOException {
    int n = ++counter;
    List<String> cmd =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                work.resolve("cache").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    pb.environment().put("HOME", work.toString());
    pb.redirectOutput(work.resolve("out-" + n).toFile());
    pb.redirectError(work.resolve("err-" + n).toFile());
    Process p = pb.start();
    outputs.put(p, n);
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    return p;
  }

  /** Output so far; rc is -1 while the process runs. */
  Result result(Process p) throws IOException {
    int n = outputs.get(p);
    return new Result(
        p.isAlive() ? -1 : p.exitValue(),
        Files.readString(work.resolve("out-" + n)),
        Files.readString(work.resolve("err-" + n)));
  }

  /** Applies YAML given on stdin. */
  Result apply(String yaml, String... extra) {
    List<String> args = new ArrayList<>(List.of("apply", "-f", "-"));
    args.addAll(List.of(extra));
    return run(Map.of(), yaml, args.toArray(String[]::new));
  }
}
