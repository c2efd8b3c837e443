package dev.netpol.lab.internal;

import dev.netpol.lab.ProbeResult;
import dev.netpol.lab.ServePort;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Processes inside pods: the server ({@code labpod.py serve}, detached with setsid so it outlives
 * the short-lived {@code netpol lab} JVM) and probes ({@code labpod.py probe}). The script ships in
 * this bundle and is extracted into the data directory.
 */
public final class PodProcesses {
  private final Path dataDir;

  public PodProcesses(Path dataDir) {
    this.dataDir = dataDir;
  }

  /**
   * Starts the pod's server and waits until it reports that every port is bound; returns its pid.
   */
  public long startServer(String netns, String podName, List<ServePort> serve) {
    Path script = script();
    Path logs = dataDir.resolve("logs");
    try {
      Files.createDirectories(logs);
      Path log = logs.resolve(netns + ".log");
      Files.deleteIfExists(log);
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "setsid",
                  "ip",
                  "netns",
                  "exec",
                  netns,
                  python(),
                  "-u",
                  script.toString(),
                  "serve",
                  "--name",
                  podName,
                  "--log",
                  logs.resolve(netns + ".sctp.log").toString()));
      for (String proto : List.of("tcp", "udp", "sctp")) {
        String ports =
            serve.stream()
                .filter(p -> p.protocol().equals(proto))
                .map(p -> Integer.toString(p.port()))
                .collect(Collectors.joining(","));
        if (!ports.isEmpty()) {
          cmd.addAll(List.of("--" + proto, ports));
        }
      }
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline) {
        String out = Files.exists(log) ? Files.readString(log) : "";
        if (out.contains("serving")) {
          return p.pid();
        }
        if (!p.isAlive()) {
          throw new IllegalStateException("pod " + netns + ": server exited: " + out.strip());
        }
        Thread.sleep(20);
      }
      p.destroyForcibly();
      throw new IllegalStateException(
          "pod " + netns + ": server did not start within 10s (log " + log + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("pod " + netns + ": cannot start the server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** Kills every process in the namespace (TERM, then KILL): all of them are the lab's. */
  public static void killAll(String netns) {
    for (int round = 0; round < 20; round++) {
      Shell.Result r = Shell.run("ip", "netns", "pids", netns);
      List<String> pids =
          r.ok()
              ? Arrays.stream(r.out().split("\\s+")).filter(s -> !s.isBlank()).toList()
              : List.of();
      if (pids.isEmpty()) {
        return;
      }
      List<String> cmd = new ArrayList<>(List.of("kill", round < 10 ? "-TERM" : "-KILL"));
      cmd.addAll(pids);
      Shell.run(cmd);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Kills the recorded server process if it still is a lab server (the pid may have been reused).
   */
  public static void killServer(long pid) {
    if (pid <= 0) {
      return;
    }
    try {
      String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
      if (cmdline.contains("labpod.py") && cmdline.contains("serve")) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException gone) {
      // already exited
    }
  }

  /** Runs a probe from inside {@code netns}; connected when the probe exits 0. */
  public ProbeResult probe(String netns, String host, int port, String protocol, Duration timeout) {
    String secs = String.format(java.util.Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0);
    Shell.Result r =
        Shell.run(
            "ip",
            "netns",
            "exec",
            netns,
            python(),
            script().toString(),
            "probe",
            "--protocol",
            protocol,
            "--timeout",
            secs,
            host,
            Integer.toString(port));
    return new ProbeResult(r.rc() == 0, r.out().strip());
  }

  /** Extracts the helper script when missing or different from the bundled one. */
  Path script() {
    Path target = dataDir.resolve("labpod.py");
    try (InputStream in = PodProcesses.class.getResourceAsStream("labpod.py")) {
      if (in == null) {
        throw new IllegalStateException("labpod.py is missing from the lab bundle");
      }
      byte[] bytes = in.readAllBytes();
      if (!Files.exists(target) || !Arrays.equals(Files.readAllBytes(target), bytes)) {
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolve("labpod.py.tmp");
        Files.write(tmp, bytes);
        Files.move(
            tmp,
            target,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract labpod.py into " + dataDir, e);
    }
  }

  /** The system python, not a shim that depends on the caller's environment. */
  static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }
}
