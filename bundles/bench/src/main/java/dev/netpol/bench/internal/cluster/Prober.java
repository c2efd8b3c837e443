package dev.netpol.bench.internal.cluster;

import dev.netpol.bench.internal.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A connection prober inside a pod ({@code prober.py}): a new TCP connection every few ms, each
 * attempt recorded with its CLOCK_MONOTONIC start (comparable with {@link System#nanoTime()}),
 * result and connect time.
 */
public final class Prober implements AutoCloseable {
  /** One connection attempt. */
  public record Attempt(long startNanos, String result, long durationNanos, int localPort) {
    public boolean ok() {
      return result.equals("ok");
    }
  }

  private final Path out;
  private final Process process;

  private Prober(Path out, Process process) {
    this.out = out;
    this.process = process;
  }

  /** Starts probing {@code host:port} from {@code netns}; output in {@code dir}. */
  public static Prober start(
      String netns,
      String host,
      int port,
      double intervalMs,
      double timeoutMs,
      Path dir,
      String name)
      throws InterruptedException {
    Path script = extract(dir);
    Path file = dir.resolve(name + ".probes");
    Process p =
        Proc.start(
            Proc.inNetns(
                netns,
                python(),
                script.toString(),
                host,
                String.valueOf(port),
                "--interval-ms",
                String.valueOf(intervalMs),
                "--timeout-ms",
                String.valueOf(timeoutMs),
                "--out",
                file.toString()),
            dir.resolve(name + ".log"));
    long end = System.currentTimeMillis() + 5000;
    while (!Files.exists(file) && System.currentTimeMillis() < end) {
      Thread.sleep(20);
    }
    if (!p.isAlive()) {
      throw new IllegalStateException(
          "prober " + name + " exited: " + read(dir.resolve(name + ".log")));
    }
    return new Prober(file, p);
  }

  /** Every finished attempt so far, by start time. */
  public List<Attempt> attempts() {
    List<Attempt> out = new ArrayList<>();
    try {
      for (String l : Files.readAllLines(this.out)) {
        if (l.startsWith("#") || l.isBlank()) {
          continue;
        }
        String[] f = l.split(" ");
        if (f.length >= 4) {
          out.add(
              new Attempt(
                  Long.parseLong(f[0]), f[1], Long.parseLong(f[2]), Integer.parseInt(f[3])));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparingLong(Attempt::startNanos));
    return out;
  }

  /** realtime − monotonic in ns, from the prober's first line (to match packet captures). */
  public long realtimeOffsetNanos() {
    try {
      String first = Files.readAllLines(out).get(0);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("monotonic_ns=(\\d+) realtime_ns=(\\d+)").matcher(first);
      if (m.find()) {
        return Long.parseLong(m.group(2)) - Long.parseLong(m.group(1));
      }
    } catch (IOException | RuntimeException e) {
      // below
    }
    return 0;
  }

  /** Attempts that started in [from, to). */
  public List<Attempt> attempts(long from, long to) {
    return attempts().stream().filter(a -> a.startNanos() >= from && a.startNanos() < to).toList();
  }

  /**
   * The start of the earliest attempt from which on every attempt started in [from, to) had the
   * verdict {@code connected}; -1 if the last one in the window did not.
   */
  public static long settledAt(List<Attempt> attempts, long from, long to, boolean connected) {
    long settled = -1;
    for (Attempt a : attempts) {
      if (a.startNanos() < from || a.startNanos() >= to) {
        continue;
      }
      if (a.ok() == connected) {
        if (settled < 0) {
          settled = a.startNanos();
        }
      } else {
        settled = -1;
      }
    }
    return settled;
  }

  @Override
  public void close() {
    Proc.stop(process, 2000);
  }

  static Path extract(Path dir) {
    Path target = dir.resolve("prober.py");
    try (InputStream in = Prober.class.getResourceAsStream("prober.py")) {
      if (in == null) {
        throw new IllegalStateException("prober.py is missing from the bench bundle");
      }
      Files.createDirectories(dir);
      Files.write(target, in.readAllBytes());
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }
}
