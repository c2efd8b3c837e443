package dev.netpol.bench.internal.cluster;

import dev.netpol.bench.internal.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** kubectl against one kubeconfig, as a user types it. */
public final class Kubectl {
  private final Path kubeconfig;
  private final Path dir;

  public Kubectl(Path kubeconfig, Path dir) {
    this.kubeconfig = kubeconfig;
    this.dir = dir;
  }

  public Proc.Result run(long timeoutSeconds, String... args) {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    return Proc.run(timeoutSeconds, cmd);
  }

  /**
   * Writes the manifest to a file and runs {@code kubectl apply -f -v=6} on it (v=6 logs each
   * request with the time its response arrived: {@link #writeAnsweredAt}).
   */
  public Proc.Result apply(String name, String yaml) throws IOException {
    Path f = Files.writeString(dir.resolve(name + ".yaml"), yaml);
    return run(300, "apply", "-f", f.toString(), "-v=6");
  }

  private static final Pattern REQUEST =
      Pattern.compile(
          "^[IWE](\\d{2})(\\d{2}) (\\d{2}:\\d{2}:\\d{2}\\.\\d{6}) .*\\] (POST|PUT|PATCH|DELETE) \\S+ (\\d{3})",
          Pattern.MULTILINE);

  /**
   * When the API answered kubectl's last write (klog's wall-clock time of the response line), as
   * {@link System#nanoTime()}; -1 if the output has none.
   */
  public static long writeAnsweredAt(String verboseOutput) {
    Matcher m = REQUEST.matcher(verboseOutput);
    LocalDateTime last = null;
    while (m.find()) {
      int year = LocalDate.now().getYear();
      last =
          LocalDateTime.of(
              LocalDate.of(year, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))),
              LocalTime.parse(m.group(3)));
    }
    if (last == null) {
      return -1;
    }
    Instant at = last.atZone(ZoneId.systemDefault()).toInstant();
    Instant now = Instant.now();
    long nowNanos = System.nanoTime();
    return nowNanos - Duration.between(at, now).toNanos();
  }

  /** {@code kubectl create -f} of a (large) manifest: one request per object. */
  public Proc.Result create(String name, String yaml) throws IOException {
    Path f = Files.writeString(dir.resolve(name + ".yaml"), yaml);
    return run(900, "create", "-f", f.toString());
  }
}
