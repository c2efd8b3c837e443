package dev.netpol.launcher;

import dev.netpol.launcher.spi.Command;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** {@code bin/netpol}: one entry point, with subcommands. */
public final class Main {
  /** Commands that run a container until SIGTERM, with what they are for. */
  static final Map<String, String> CONTAINERS = new LinkedHashMap<>();

  /** Commands provided by bundles (run in a short-lived container). */
  static final Map<String, String> TOOLS = new LinkedHashMap<>();

  static {
    CONTAINERS.put(
        "standalone",
        "one node with an embedded Kubernetes API, controller, agent and backend (eBPF or iptables)");
    CONTAINERS.put(
        "node", "a node agent and its backend against a running API (--kubeconfig, --node-name)");
    CONTAINERS.put(
        "controller", "the policy controller alone against a running API (--kubeconfig)");
    CONTAINERS.put(
        "start",
        "start the container with a profile (--profile NAME, default 'base') and show its status");
    TOOLS.put(
        "ebpf",
        "inspect the datapath: progs | maps | loaded | dump-map ID | conntrack | events | cost");
    TOOLS.put("iptables", "inspect the iptables backend: show [NS/NAME] | release");
    TOOLS.put(
        "lab", "pods as network namespaces registered in the API: up | pod | rm | down | list");
    TOOLS.put("bench", "benchmarks of the enforcement backends, results written to files");
    TOOLS.put(
        "backend", "the running node's enforcement backend: show | switch NAME (--data-dir DIR)");
  }

  /** What {@code netpol node --help} says about the console, which a node runs only on request. */
  static final String NODE_CONSOLE =
      """
      The web console (Felix Web Console with netpol's pages) runs on a node only when asked for:
      --set netpol.console.enabled=true, or that line in etc/config/netpol-console.cfg (a
      cluster's ConfigMap). Without it the node neither loads nor starts the console's bundles.

      """;

  private Main() {}

  public static void main(String[] args) {
    // The JDK's HTTP server reads this once, when the first server of the process is created
    // (whichever bundle that is: the agent's metrics start before the embedded API), so it is
    // set before any bundle runs. Without it every response on a kept-alive connection waits
    // for the client's delayed ACK: ~40 ms per request to the embedded API.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    int rc;
    try {
      rc = run(Arrays.asList(args), System.out, System.err);
    } catch (IllegalArgumentException e) {
      System.err.println("netpol: " + e.getMessage() + " (see netpol --help)");
      rc = 2;
    } catch (Exception e) {
      System.err.println("netpol: " + e);
      rc = 1;
    }
    System.exit(rc);
  }

  static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (args.isEmpty()
        || args.get(0).equals("--help")
        || args.get(0).equals("-h")
        || args.get(0).equals("help")) {
      out.print(help());
      return args.isEmpty() ? 2 : 0;
    }
    String cmd = args.get(0);
    List<String> rest = args.subList(1, args.size());
    Path home = home();
    if (CONTAINERS.containsKey(cmd)) {
      return container(home, cmd, rest, out, err);
    }
    if (TOOLS.containsKey(cmd)) {
      return tool(home, cmd, rest, out, err);
    }
    err.println("netpol: unknown command '" + cmd + "'");
    err.print(help());
    return 2;
  }

  static String help() {
    StringBuilder b = new StringBuilder();
    b.append("netpol: Kubernetes NetworkPolicy enforcement with eBPF\n\n");
    b.append(
        "usage: netpol COMMAND [options]   (netpol COMMAND --help for each)\n\nrunning netpol:\n");
    CONTAINERS.forEach((k, v) -> b.append(String.format("  %-11s %s%n", k, v)));
    b.append("\ntools:\n");
    TOOLS.forEach((k, v) -> b.append(String.format("  %-11s %s%n", k, v)));
    b.append("\ncommon options of the running commands:\n");
    b.append(
        "  --data-dir DIR     state, kubeconfig and framework cache (default ~/.netpol/COMMAND)\n");
    b.append("  --node-name NAME   this node's name (default: the host name)\n");
    b.append("  --backend NAME     enforcement backend: ebpf (default) or iptables\n");
    b.append("  --kubeconfig FILE  API to use instead of the embedded one\n");
    b.append(
        "  --mode MODE        standard (pods allowed until their policies are known) or strict\n");
    b.append("  --set KEY=VALUE    any setting (see etc/config/*.cfg)\n");
    b.append("  --once             start, print the status and stop\n");
    return b.toString();
  }

  static Path home() {
    String h = System.getProperty("netpol.home");
    return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
  }

  private static int container(
      Path home, String cmd, List<String> args, PrintStream out, PrintStream err) throws Exception {
    Options o = Options.parse(args);
    String profileName = cmd;
    if (cmd.equals("start")) {
      profileName = o.rest.isEmpty() ? "base" : o.rest.get(0);
    }
    if (o.help) {
      out.printf("usage: netpol %s [options]%n  %s%n%n", cmd, CONTAINERS.get(cmd));
      if (cmd.equals("node")) {
        out.print(NODE_CONSOLE);
      }
      out.print(help().substring(help().indexOf("common options")));
      return 0;
    }
    Path data =
        Path.of(
                o.properties.computeIfAbsent(
                    "netpol.data.dir", k -> System.getProperty("user.home") + "/.netpol/" + cmd))
            .toAbsolutePath();
    o.properties.put("netpol.data.dir", data.toString());
    o.properties.put("netpol.home", home.toString());
    o.properties.put("netpol.command", cmd);
    o.properties.put("felix.fileinstall.dir", home.resolve("etc/config").toString());
    // etc/config is the operator's (in a cluster, a read-only ConfigMap): never written back.
    o.properties.put("felix.fileinstall.enableConfigSave", "false");
    Files.createDirectories(data);
    long t0 = System.nanoTime();
    Profile profile =
        Profile.load(
            home, profileName, key -> Boolean.parseBoolean(setting(home, o.properties, key)));
    Container c = Container.start(profile, data.resolve("felix-cache"), o.properties, !o.once);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (!c.isStopped()) {
                    err.println("netpol: stopping");
                    c.stop();
                  }
                },
                "netpol-shutdown"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    int rc = printStatus(c, cmd, ms, o.verbose || o.once, out);
    if (!c.lateStarted().isDone()) {
      c.lateStarted()
          .thenRun(
              () -> {
                if (!c.isStopped()) {
                  printLate(c, cmd, (System.nanoTime() - t0) / 1_000_000, out);
                }
              });
    }
    if (o.once) {
      c.stop();
      return rc;
    }
    c.awaitStop();
    return 0;
  }

  /**
   * A setting as the launcher sees it before any bundle runs: {@code --set KEY=VALUE} (or a flag),
   * else its entry in {@code etc/config/*.cfg} (where an operator, or a cluster's ConfigMap, sets
   * it), else null.
   */
  static String setting(Path home, Map<String, String> properties, String key) {
    if (properties.containsKey(key)) {
      return properties.get(key);
    }
    Path dir = home.resolve("etc/config");
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".cfg")).sorted().toList()) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(f)) {
          p.load(in);
        }
        String v = p.getProperty(key);
        if (v != null) {
          return v.strip();
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
    }
    return null;
  }

  static int printStatus(Container c, String cmd, long ms, boolean list, PrintStream out) {
    List<Bundle> bundles = c.bundles();
    List<Bundle> pending = c.lateStarted().isDone() ? List.of() : c.late();
    long notActive = bundles.stream().filter(b -> !active(b) && !pending.contains(b)).count();
    if (list || notActive > 0) {
      for (Bundle b : bundles) {
        out.printf("  %-8s %-55s %s%n", state(b), b.getSymbolicName(), b.getVersion());
      }
    }
    c.problems().forEach(p -> out.println("  problem: " + p));
    out.printf(
        "netpol %s: %d bundles, %s in %d ms%s%n",
        cmd,
        bundles.size(),
        notActive == 0 ? "all ACTIVE" : notActive + " NOT ACTIVE",
        ms,
        pending.isEmpty() ? "" : " (" + pending.size() + " more start once it is ready)");
    return notActive == 0 ? 0 : 1;
  }

  /** The second status line, once the late bundles (the web console) have started. */
  static void printLate(Container c, String cmd, long ms, PrintStream out) {
    List<Bundle> late = c.late();
    long notActive = late.stream().filter(b -> !active(b)).count();
    for (Bundle b : late) {
      if (!active(b)) {
        out.printf("  %-8s %-55s %s%n", state(b), b.getSymbolicName(), b.getVersion());
      }
    }
    out.printf(
        "netpol %s: %d late bundles %s after %d ms%n",
        cmd, late.size(), notActive == 0 ? "ACTIVE" : notActive + " NOT ACTIVE", ms);
  }

  private static boolean active(Bundle b) {
    return b.getState() == Bundle.ACTIVE
        || b.getState() == Bundle.RESOLVED && b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
  }

  private static String state(Bundle b) {
    return switch (b.getState()) {
      case Bundle.ACTIVE -> "ACTIVE";
      case Bundle.RESOLVED ->
          b.getHeaders().get(Constants.FRAGMENT_HOST) != null ? "FRAGMENT" : "RESOLVED";
      case Bundle.INSTALLED -> "INSTALLED";
      case Bundle.STARTING -> "STARTING";
      case Bundle.STOPPING -> "STOPPING";
      default -> "UNKNOWN";
    };
  }

  private static int tool(
      Path home, String cmd, List<String> args, PrintStream out, PrintStream err) throws Exception {
    Path profile =
        Files.isRegularFile(home.resolve("etc/profiles/" + cmd + ".list"))
            ? home.resolve("etc/profiles/" + cmd + ".list")
            : home.resolve("etc/profiles/tools.list");
    String profileName = profile.getFileName().toString().replace(".list", "");
    Path storage = Files.createTempDirectory("netpol-" + cmd + "-");
    Map<String, String> props = new LinkedHashMap<>();
    props.put("netpol.home", home.toString());
    props.put("netpol.command", cmd);
    props.put("netpol.tool", cmd);
    props.put("felix.fileinstall.dir", home.resolve("etc/config").toString());
    props.put("felix.fileinstall.enableConfigSave", "false");
    // a tool runs at once: nothing of it waits for a node's readiness
    Container c = Container.start(Profile.load(home, profileName), storage, props, false);
    try {
      Filter f =
          FrameworkUtil.createFilter(
              "(&("
                  + Constants.OBJECTCLASS
                  + "="
                  + Command.class.getName()
                  + ")("
                  + Command.NAME
                  + "="
                  + cmd
                  + "))");
      ServiceTracker<Command, Command> t = new ServiceTracker<>(c.context(), f, null);
      t.open();
      Command command = t.waitForService(15_000);
      if (command == null) {
        err.println("netpol: command '" + cmd + "' is not available (its bundle did not start)");
        c.problems().forEach(p -> err.println("  problem: " + p));
        return 1;
      }
      return command.run(args, out, err);
    } finally {
      c.stop();
      deleteTree(storage);
    }
  }

  private static void deleteTree(Path p) {
    try (var s = Files.walk(p)) {
      s.sorted((a, b) -> b.compareTo(a)).forEach(x -> x.toFile().delete());
    } catch (Exception ignored) {
      // a temporary cache; the OS cleans /tmp eventually
    }
  }
}
