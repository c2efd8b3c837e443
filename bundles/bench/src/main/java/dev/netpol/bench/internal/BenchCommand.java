package dev.netpol.bench.internal;

import dev.netpol.bench.internal.datapath.DatapathSuite;
import dev.netpol.bench.internal.programming.ProgrammingSuite;
import dev.netpol.bench.internal.scale.ApiSuite;
import dev.netpol.bench.internal.scale.ScaleSuite;
import dev.netpol.launcher.spi.Command;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** {@code netpol bench}: runs the suites, then writes the report and checks its own output. */
public final class BenchCommand implements Command {
  static final List<String> SUITES = List.of("datapath", "programming", "scale", "api");

  @Override
  public String summary() {
    return "benchmarks of the enforcement backends, results written to files";
  }

  static String usage() {
    StringBuilder b =
        new StringBuilder(
            """
            usage: netpol bench [SUITE...] [--size quick|full] [--out DIR] [--backends LIST]
                                [--peers LIST] [--port-ranges LIST] [--rounds N] [--agent-only]

            Measures netpol on this machine and writes raw results (CSV, JSON), plots (PNG) and
            report.md into DIR. One line per finished point shows progress and the time left.

            suites (default: all, in this order):
            """);
    for (Suite s : suites()) {
      b.append(String.format("  %-12s %s%n", s.name(), s.summary()));
    }
    b.append(
        """

        options:
          --size quick|full  quick: a couple of minutes, every code path once (CI); full: the
                             report (5+ interleaved rounds per point; about an hour or more)
          --out DIR          results directory (default ./bench-results)
          --backends LIST    backends to compare, e.g. ebpf,iptables (default: every installed one)
          --peers LIST       datapath: only these peer counts, e.g. 1,10000,50000
          --port-ranges LIST datapath: only these port range counts ("" for none)
          --rounds N         datapath: rounds per point (default 5 full, 2 quick)
          --agent-only       scale: only the agent's memory and cold start (skips the controller
                             at 50k pods / 5k policies, the long part of scale)

        Needs root, iperf3, sockperf and kubectl. It makes network namespaces (prefix npb),
        veths, bpffs pins (/sys/fs/bpf/netpol-bench-*) and starts netpol processes of its own;
        everything is removed at the end, on failure and on Ctrl-C, and leftovers of an earlier
        run are removed at the start. On a machine shared with kernel tests, hold their lock:
          flock /tmp/netpol-kernel.lock netpol bench ...
        JMH benchmarks of the in-JVM hot paths: see bundles/bench/README.md (mvn -Pjmh).
        """);
    return b.toString();
  }

  static List<Suite> suites() {
    return List.of(new DatapathSuite(), new ProgrammingSuite(), new ScaleSuite(), new ApiSuite());
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("netpol bench: " + e.getMessage());
      err.print(usage());
      return 2;
    }
    if (o.help) {
      out.print(usage());
      return 0;
    }
    Path home = Path.of(System.getProperty("netpol.home", ".")).toAbsolutePath().normalize();
    List<String> missing = missingTools();
    if (!missing.isEmpty()) {
      err.println("netpol bench: missing on this machine: " + String.join(", ", missing));
      return 1;
    }
    List<String> backends = o.backends.isEmpty() ? Backends.installed() : o.backends;
    for (String b : backends) {
      if (!Backends.installed().contains(b)) {
        err.println(
            "netpol bench: backend '"
                + b
                + "' is not installed (have "
                + Backends.installed()
                + ")");
        return 2;
      }
    }
    List<Suite> run = suites().stream().filter(s -> o.suites.contains(s.name())).toList();
    String started =
        DateTimeFormatter.ISO_INSTANT.format(
            Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    int failures = 0;
    try (BenchContext ctx = new BenchContext(o.size, o.out, home, backends, out, o.agentOnly)) {
      List<String> swept = Leftovers.sweep(ctx.work);
      if (!swept.isEmpty()) {
        ctx.progress.note("bench", "removed leftovers of an earlier run: " + swept);
      }
      Map<String, String> header = new LinkedHashMap<>();
      header.put("started", started);
      header.put("size", o.size.describe());
      header.put("suites", String.join(", ", run.stream().map(Suite::name).toList()));
      header.put("backends", String.join(", ", backends));
      header.putAll(Machine.describe(home));
      header.put("load average at start", String.valueOf(Machine.loadAverage()));
      writeMachine(ctx.out, header);
      ctx.progress.note(
          "bench",
          "size "
              + header.get("size")
              + ", suites "
              + header.get("suites")
              + ", backends "
              + header.get("backends")
              + ", results in "
              + ctx.out);
      run.forEach(s -> s.plan(ctx));
      long t0 = System.nanoTime();
      for (Suite s : run) {
        try {
          s.run(ctx);
        } catch (Exception | AssertionError e) {
          failures++;
          ctx.report.note("suite " + s.name() + " failed: " + e);
          err.println("netpol bench: " + s.name() + " failed: " + e);
          e.printStackTrace(err);
        }
      }
      header.put("duration", Progress.duration((System.nanoTime() - t0) / 1e9));
      header.put("load average at end", String.valueOf(Machine.loadAverage()));
      writeMachine(ctx.out, header);
      ctx.report.write(ctx.out.resolve("report.md"), "netpol benchmark report", header);
      List<String> problems = checkOutput(ctx.out, run);
      problems.forEach(p -> err.println("netpol bench: " + p));
      out.println("netpol bench: report " + ctx.out.resolve("report.md"));
      return failures == 0 && problems.isEmpty() ? 0 : 1;
    }
  }

  private static void writeMachine(Path out, Map<String, String> header)
      throws java.io.IOException {
    Table t = new Table("machine");
    header.forEach((k, v) -> t.add("key", k, "value", v));
    t.write(out);
  }

  /** Sanity of the results directory: the report, and each suite's table and at least one plot. */
  static List<String> checkOutput(Path out, List<Suite> run) throws java.io.IOException {
    List<String> problems = new ArrayList<>();
    if (!Files.isRegularFile(out.resolve("report.md"))) {
      problems.add("no report.md in " + out);
    }
    for (Suite s : run) {
      Path csv = out.resolve(s.name() + ".csv");
      if (!Files.isRegularFile(csv) || Files.readAllLines(csv).size() < 2) {
        problems.add(s.name() + ": no results in " + csv);
      }
      try (Stream<Path> files = Files.list(out)) {
        if (files.noneMatch(
            p ->
                p.getFileName().toString().startsWith(s.name()) && p.toString().endsWith(".png"))) {
          problems.add(s.name() + ": no plot in " + out);
        }
      }
    }
    return problems;
  }

  static List<String> missingTools() {
    List<String> missing = new ArrayList<>();
    for (String t : List.of("iperf3", "sockperf", "kubectl", "ip", "tc")) {
      boolean found =
          Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
              .anyMatch(d -> Files.isExecutable(Path.of(d, t)));
      if (!found && !Files.isExecutable(Path.of("/usr/sbin", t))) {
        missing.add(t);
      }
    }
    return missing;
  }

  /** The parsed command line. */
  static final class Options {
    final List<String> suites = new ArrayList<>();
    final List<String> backends = new ArrayList<>();
    Size size = Size.QUICK;
    List<Integer> peers;
    List<Integer> portRanges;
    Integer rounds;
    Path out = Path.of("bench-results");
    boolean help;
    boolean agentOnly;

    static Options parse(List<String> args) {
      Options o = new Options();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        String value = null;
        if (a.startsWith("--") && a.contains("=")) {
          value = a.substring(a.indexOf('=') + 1);
          a = a.substring(0, a.indexOf('='));
        }
        switch (a) {
          case "--help", "-h", "help" -> o.help = true;
          case "--agent-only" -> o.agentOnly = true;
          case "--size", "--out", "--backends", "--peers", "--port-ranges", "--rounds" -> {
            if (value == null) {
              if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(a + " needs a value");
              }
              value = args.get(++i);
            }
            switch (a) {
              case "--size" -> o.size = Size.parse(value);
              case "--out" -> o.out = Path.of(value);
              case "--peers" -> o.peers = counts(a, value);
              case "--port-ranges" -> o.portRanges = counts(a, value);
              case "--rounds" -> o.rounds = counts(a, value).stream().findFirst().orElse(0);
              default -> o.backends.addAll(list(value));
            }
          }
          case "all" -> o.suites.addAll(SUITES);
          default -> {
            if (a.startsWith("-")) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            if (!SUITES.contains(a)) {
              throw new IllegalArgumentException(
                  "unknown suite '" + a + "' (one of " + String.join(", ", SUITES) + ", all)");
            }
            o.suites.add(a);
          }
        }
      }
      if (o.suites.isEmpty()) {
        o.suites.addAll(SUITES);
      }
      if (o.peers != null) {
        o.size = o.size.withPeers(o.peers);
      }
      if (o.portRanges != null) {
        o.size = o.size.withPortRanges(o.portRanges);
      }
      if (o.rounds != null) {
        o.size = o.size.withRounds(o.rounds);
      }
      return o;
    }

    private static List<String> list(String value) {
      return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<Integer> counts(String option, String value) {
      List<Integer> out = new ArrayList<>();
      for (String v : list(value)) {
        if (!v.matches("[1-9]\\d{0,6}")) {
          throw new IllegalArgumentException(
              option + " takes positive whole numbers separated by commas, not '" + v + "'");
        }
        out.add(Integer.parseInt(v));
      }
      return out;
    }
  }
}
