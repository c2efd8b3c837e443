package dev.netpol.apiserver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An embedded API server alone in its own JVM, for tests that kill it: {@code ApiServerChild
 * <dataDir> <compactionBytes>} prints {@code URL <url>} once serving and runs until killed.
 */
public final class ApiServerChild {
  private ApiServerChild() {}

  public static void main(String[] args) throws Exception {
    EmbeddedApiServer.Options o =
        new EmbeddedApiServer.Options(
            Duration.ZERO,
            Long.parseLong(args[1]),
            EmbeddedApiServer.Options.DEFAULTS.watchHistory(),
            EmbeddedApiServer.Options.DEFAULTS.watchQueue());
    EmbeddedApiServer server = new EmbeddedApiServer(o);
    System.out.println("URL " + server.start("127.0.0.1", 0, Path.of(args[0])));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  /** Starts a child JVM on dataDir and waits until it serves; returns it and its URL. */
  static Running start(Path dataDir, long compactionBytes, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            ApiServerChild.class.getName(),
            dataDir.toString(),
            Long.toString(compactionBytes)));
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith("URL ")) {
        return new Running(p, line.substring(4));
      }
    }
    p.destroyForcibly().waitFor();
    throw new AssertionError("the child API server exited with " + p.exitValue() + "; see " + log);
  }

  record Running(Process process, String url) {
    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
