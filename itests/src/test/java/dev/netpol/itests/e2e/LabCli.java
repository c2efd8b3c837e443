package dev.netpol.itests.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code bin/netpol lab ...} with this test's kubeconfig, data dir and address pools. */
final class LabCli {
  record Pod(String key, String netns, String hostLink, String ipv4) {}

  private static final Pattern ADDED =
      Pattern.compile("pod (\\S+): netns (\\S+), host link (\\S+), ([0-9.]+)");
  private final Path kubeconfig;
  private final Path dataDir;
  private final String pool4;
  private final String pool6;

  LabCli(Path kubeconfig, Path dataDir, String pool4, String pool6) {
    this.kubeconfig = kubeconfig;
    this.dataDir = dataDir;
    this.pool4 = pool4;
    this.pool6 = pool6;
  }

  List<String> args(String... words) {
    List<String> a = new ArrayList<>(List.of("lab"));
    a.addAll(List.of(words));
    a.addAll(
        List.of(
            "--kubeconfig",
            kubeconfig.toString(),
            "--data-dir",
            dataDir.toString(),
            "--pool4",
            pool4,
            "--pool6",
            pool6));
    return a;
  }

  static Pod parseAdded(Cli.Result r) {
    Matcher m = ADDED.matcher(r.out());
    if (r.exit() != 0 || !m.find()) {
      throw new AssertionError("lab pod add failed: " + r);
    }
    return new Pod(m.group(1), m.group(2), m.group(3), m.group(4));
  }

  Cli.Result probe(String from, String to, int port) {
    return Cli.netpol(args("probe", from, to, String.valueOf(port), "--timeout", "1s"));
  }

  /** Removes everything the lab made; {@code --no-api} when the API is already gone. */
  Cli.Result down(boolean apiUp) {
    List<String> a = args("down");
    if (!apiUp) {
      a.add("--no-api");
    }
    return Cli.netpol(a);
  }
}
