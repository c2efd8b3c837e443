package dev.netpol.itests.e2e;

/**
 * A quick TCP connect from inside a pod's network namespace (about 0.1 s, where {@code netpol lab
 * probe} starts a JVM): true when the server replied. A policy drop shows as a timeout; the lab
 * servers reply with their pod's name at once.
 */
final class TcpProbe {
  private static final String SCRIPT =
      String.join(
          "\n",
          "import socket,sys",
          "try:",
          "  s=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=float(sys.argv[3]))",
          "  print('connected' if s.recv(64) else 'no-reply')",
          "except OSError as e:",
          "  print('blocked', type(e).__name__)");

  private TcpProbe() {}

  static boolean connects(String netns, String ip, int port, double timeoutSeconds) {
    Cli.Result r =
        Cli.run(
            20,
            java.util.List.of(
                "ip",
                "netns",
                "exec",
                netns,
                "/usr/bin/python3",
                "-c",
                SCRIPT,
                ip,
                String.valueOf(port),
                String.valueOf(timeoutSeconds)));
    return r.out().startsWith("connected");
  }

  static boolean connects(String netns, String ip, int port) {
    return connects(netns, ip, port, 0.3);
  }

  /** Many connects for a while from one process: a steady stream of new flows (events). */
  static Process traffic(String netns, String ip, int allowedPort, int deniedPort, double seconds)
      throws java.io.IOException {
    String loop =
        String.join(
            "\n",
            "import socket,sys,time",
            "end=time.time()+float(sys.argv[4])",
            "while time.time()<end:",
            "  for port,t in ((int(sys.argv[2]),0.3),(int(sys.argv[3]),0.05)):",
            "    try:",
            "      s=socket.create_connection((sys.argv[1],port),timeout=t); s.recv(64); s.close()",
            "    except OSError: pass",
            "  time.sleep(0.02)");
    return new ProcessBuilder(
            "ip",
            "netns",
            "exec",
            netns,
            "/usr/bin/python3",
            "-c",
            loop,
            ip,
            String.valueOf(allowedPort),
            String.valueOf(deniedPort),
            String.valueOf(seconds))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /**
   * Probes until {@code connects} equals {@code want}; returns the milliseconds from {@code t0} (a
   * {@link System#nanoTime()}) to the start of the first attempt that saw it, or -1 after {@code
   * maxMs}. The start, not the end: a blocked attempt takes its whole timeout.
   */
  static long until(boolean want, String netns, String ip, int port, long t0, long maxMs) {
    while ((System.nanoTime() - t0) / 1_000_000 < maxMs) {
      long attempt = System.nanoTime();
      if (connects(netns, ip, port, 0.2) == want) {
        return (attempt - t0) / 1_000_000;
      }
    }
    return -1;
  }
}
