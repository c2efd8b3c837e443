package dev.netpol.bench.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One bench run: its options, the results directory, a private work directory, progress, the
 * report, and the clean-up of everything the run made (run in reverse order at the end, on failure
 * and on Ctrl-C).
 *
 * <p>Names: work dir {@code /tmp/netpol-benchrun-<hex>}, bpffs roots {@code
 * /sys/fs/bpf/netpol-bench-<hex>*}, lab netns/link prefix {@code npb} + 4 hex, pod addresses in
 * {@code 198.18.192.0/20} and {@code fd00:198:18:c0::/58}.
 */
public final class BenchContext implements AutoCloseable {
  public static final String POOL4 = "198.18.192.0/20";
  public static final String POOL6 = "fd00:198:18:c0::/58";
  public static final String NAME_PREFIX = "npb";
  public static final Path BPFFS = Path.of("/sys/fs/bpf");
  public static final String PIN_PREFIX = "netpol-bench-";

  /** Work directories; not {@code netpol-bench-}: the launcher names its framework cache so. */
  public static final String WORK_PREFIX = "netpol-benchrun-";

  public final Size size;
  public final Path out;
  public final Path work;
  public final Path home;
  public final String hex =
      HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(1 << 16));
  public final Progress progress;
  public final Report report = new Report();
  public final PrintStream log;
  public final List<String> backends;

  /** {@code --agent-only}: the scale suite measures the agent alone (no controller at 50k pods). */
  public final boolean agentOnly;

  private final Deque<Step> cleanups = new ArrayDeque<>();
  private final java.util.Map<String, Object> shared = new java.util.HashMap<>();
  private final Thread hook = new Thread(this::cleanUp, "netpol-bench-cleanup");

  /** A clean-up step. */
  public interface Step {
    void run() throws Exception;
  }

  public BenchContext(
      Size size, Path out, Path home, List<String> backends, PrintStream log, boolean agentOnly)
      throws IOException {
    this.size = size;
    this.agentOnly = agentOnly;
    this.out = Files.createDirectories(out.toAbsolutePath());
    this.home = home;
    this.backends = List.copyOf(backends);
    this.log = log;
    this.progress = new Progress(log);
    this.work = Files.createDirectories(Path.of("/tmp", WORK_PREFIX + hex));
    Files.createDirectories(this.out.resolve("logs"));
    onClose(() -> deleteTree(work));
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A fresh bpffs root for one backend or node; removed at the end. */
  public Path pinRoot(String suffix) {
    Path p = BPFFS.resolve(PIN_PREFIX + hex + suffix);
    onClose(() -> deleteTree(p));
    return p;
  }

  /** A fixture shared by suites of this run (made by the first that asks for it). */
  @SuppressWarnings("unchecked")
  public synchronized <T> T shared(String key, java.util.concurrent.Callable<T> make)
      throws Exception {
    Object o = shared.get(key);
    if (o == null) {
      o = make.call();
      shared.put(key, o);
    }
    return (T) o;
  }

  /** The bin/netpol of this distribution. */
  public Path netpol() {
    return home.resolve("bin/netpol");
  }

  /** Registers a clean-up step; steps run last-registered first. */
  public synchronized void onClose(Step s) {
    cleanups.push(s);
  }

  public Path logFile(String name) {
    return out.resolve("logs").resolve(name);
  }

  private synchronized void cleanUp() {
    while (!cleanups.isEmpty()) {
      try {
        cleanups.pop().run();
      } catch (Exception | Error e) {
        log.println("bench clean-up: " + e);
      }
    }
  }

  @Override
  public void close() {
    cleanUp();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort; reported by the leftover sweep of the next run
    }
  }
}
