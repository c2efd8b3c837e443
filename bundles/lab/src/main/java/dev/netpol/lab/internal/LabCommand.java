package dev.netpol.lab.internal;

import dev.netpol.lab.Lab;
import dev.netpol.lab.LabConfig;
import dev.netpol.lab.LabPod;
import dev.netpol.lab.PodSpec;
import dev.netpol.lab.ProbeResult;
import dev.netpol.lab.ServePort;
import dev.netpol.launcher.spi.Command;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code netpol lab}: up, pod add, pod rm, probe, list, down. */
public final class LabCommand implements Command {
  static final Set<String> COMMON =
      Set.of("--kubeconfig", "--data-dir", "--pool4", "--pool6", "--node-name", "--host-ip");
  static final String COMMON_HELP =
      """
      common options:
        --kubeconfig FILE   API to register pods in (default ~/.netpol/standalone/kubeconfig)
        --no-api            make pods in the kernel only, register nothing
        --data-dir DIR      lab state, server script and logs (default ~/.netpol/lab)
        --pool4 CIDR        pod IPv4 range inside 198.18.0.0/15 (default %s; fixed at the first pod)
        --pool6 CIDR        pod IPv6 range inside fd00:198:18::/48 (default %s)
        --node-name NAME    spec.nodeName of new pods (default: this host's name)
        --host-ip IP        status.hostIP of new pods (default: this host's first IPv4 address)
      """
          .formatted(LabConfig.DEFAULT_POOL4, LabConfig.DEFAULT_POOL6);
  static final String POD_HELP =
      """
      pod options:
        --labels k=v,...    pod labels
        --serve LIST        ports to serve, e.g. 80/tcp,81/udp,80/sctp (TCP accept+reply, UDP echo,
                            SCTP: a raw-socket capture answering INITs with INIT-ACK)
        --ipv6              also give the pod an IPv6 address (dual stack)
        --node NAME         spec.nodeName of this pod
        --service           also create the ClusterIP Service s-NS-NAME (selector pod=NAME)
      """;
  static final Set<String> POD_VALUED = Set.of("--labels", "--serve", "--node");
  static final Set<String> POD_FLAGS = Set.of("--ipv6", "--service", "--no-api");

  @Override
  public String summary() {
    return "pods as network namespaces registered in the API: up | pod add | pod rm | probe | list | down";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (args.isEmpty()
        || args.get(0).equals("--help")
        || args.get(0).equals("-h")
        || args.get(0).equals("help")) {
      out.print(usage());
      return args.isEmpty() ? 2 : 0;
    }
    List<String> rest = args.subList(1, args.size());
    try {
      return switch (args.get(0)) {
        case "up" -> up(rest, out);
        case "pod" -> pod(rest, out, err);
        case "rm" -> rm(rest, out);
        case "probe" -> probe(rest, out);
        case "list", "ls" -> list(rest, out);
        case "down" -> down(rest, out, err);
        default -> {
          err.println("netpol lab: unknown subcommand '" + args.get(0) + "'");
          err.print(usage());
          yield 2;
        }
      };
    } catch (IllegalArgumentException e) {
      err.println("netpol lab: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("netpol lab: " + e.getMessage());
      return 1;
    }
  }

  static String usage() {
    return """
        usage: netpol lab SUBCOMMAND [options]   (netpol lab SUBCOMMAND --help for each)
          up        make several pods: from --file SPEC, or the e2e model (--namespaces x,y,z --pods a,b,c)
          pod add   NS/NAME: make one pod (network namespace, veth, routes, servers, Pod object)
          pod rm    NS/NAME: remove one pod, its kernel state and API objects
          probe     FROM TO PORT: connect from inside pod FROM; prints connected/blocked, exit 0/1
          list      the lab's pods
          down      remove everything the lab made (the blackhole routes stay)
        """
        + COMMON_HELP;
  }

  private int pod(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
      out.print(
          "usage: netpol lab pod add NS/NAME [pod options] | netpol lab pod rm NS/NAME\n"
              + POD_HELP
              + COMMON_HELP);
      return args.isEmpty() ? 2 : 0;
    }
    return switch (args.get(0)) {
      case "add" -> add(args.subList(1, args.size()), out);
      case "rm", "remove", "delete" -> rm(args.subList(1, args.size()), out);
      default ->
          throw new IllegalArgumentException(
              "unknown 'pod' subcommand '" + args.get(0) + "' (add or rm)");
    };
  }

  private int add(List<String> words, PrintStream out) {
    Args a = Args.parse(words, union(COMMON, POD_VALUED), POD_FLAGS);
    if (a.help()) {
      out.print(
          "usage: netpol lab pod add NS/NAME [pod options]\n  make one pod and register it\n"
              + POD_HELP
              + COMMON_HELP);
      return 0;
    }
    if (a.positional.size() != 1) {
      throw new IllegalArgumentException("pod add needs exactly one NS/NAME");
    }
    try (Lab lab = new Lab(config(a))) {
      print(out, lab.addPod(spec(a.positional.get(0), a)));
    }
    return 0;
  }

  private int rm(List<String> words, PrintStream out) {
    Args a = Args.parse(words, COMMON, Set.of("--no-api"));
    if (a.help()) {
      out.print(
          "usage: netpol lab pod rm NS/NAME...\n  remove pods: processes, netns, links, routes, Pod and Service objects\n"
              + COMMON_HELP);
      return 0;
    }
    if (a.positional.isEmpty()) {
      throw new IllegalArgumentException("pod rm needs NS/NAME");
    }
    int rc = 0;
    try (Lab lab = new Lab(config(a))) {
      for (String key : a.positional) {
        String[] nn = key(key);
        if (lab.removePod(nn[0], nn[1])) {
          out.println("removed " + key);
        } else {
          out.println("no lab pod " + key);
          rc = 1;
        }
      }
    }
    return rc;
  }

  private int up(List<String> words, PrintStream out) throws Exception {
    Set<String> valued =
        union(union(COMMON, POD_VALUED), Set.of("--file", "--namespaces", "--pods"));
    Args a = Args.parse(words, valued, POD_FLAGS);
    if (a.help()) {
      out.print(
          """
          usage: netpol lab up --file SPEC | --namespaces x,y,z --pods a,b,c [pod options]
            --file SPEC         one pod per line, written as the arguments of `pod add`:
                                  x/a --labels pod=a --serve 80/tcp,81/udp --service
                                blank lines and lines starting with # are skipped
            --namespaces LIST   with --pods: every pod in every namespace, labelled pod=NAME, with the
                                pod options given here (the upstream e2e model: --service --serve ...)
          """
              + POD_HELP
              + COMMON_HELP);
      return 0;
    }
    List<List<String>> pods = new ArrayList<>();
    if (a.options.containsKey("--file")) {
      Path f = Path.of(a.options.get("--file"));
      int n = 0;
      for (String line : Files.readAllLines(f)) {
        n++;
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          pods.add(Arrays.asList(t.split("\\s+")));
        }
      }
    }
    if (a.options.containsKey("--namespaces") != a.options.containsKey("--pods")) {
      throw new IllegalArgumentException("--namespaces and --pods go together");
    }
    if (a.options.containsKey("--namespaces")) {
      for (String ns : a.options.get("--namespaces").split(",")) {
        for (String p : a.options.get("--pods").split(",")) {
          List<String> line = new ArrayList<>(List.of(ns + "/" + p));
          Map<String, String> labels = labels(a.get("--labels", ""));
          labels.putIfAbsent("pod", p);
          line.addAll(List.of("--labels", join(labels)));
          for (String o : POD_VALUED) {
            if (!o.equals("--labels") && a.options.containsKey(o)) {
              line.addAll(List.of(o, a.options.get(o)));
            }
          }
          a.flags.stream()
              .filter(POD_FLAGS::contains)
              .filter(x -> !x.equals("--no-api"))
              .forEach(line::add);
          pods.add(line);
        }
      }
    }
    if (pods.isEmpty()) {
      throw new IllegalArgumentException("up needs --file SPEC or --namespaces and --pods");
    }
    try (Lab lab = new Lab(config(a))) {
      for (List<String> line : pods) {
        Args p = Args.parse(line, POD_VALUED, POD_FLAGS);
        if (p.positional.size() != 1) {
          throw new IllegalArgumentException(
              "spec line '" + String.join(" ", line) + "' needs exactly one NS/NAME");
        }
        print(out, lab.addPod(spec(p.positional.get(0), p)));
      }
    }
    return 0;
  }

  private int probe(List<String> words, PrintStream out) {
    Args a =
        Args.parse(
            words, union(COMMON, Set.of("--protocol", "--timeout")), Set.of("--ipv6", "--no-api"));
    if (a.help()) {
      out.print(
          """
          usage: netpol lab probe FROM TO PORT [--protocol tcp|udp|sctp] [--timeout 1s] [--ipv6]
            FROM   a lab pod NS/NAME; the probe runs inside its network namespace
            TO     a lab pod NS/NAME, svc/NS/NAME (the Service's ClusterIP), or an IP address
            tcp: handshake completes; udp: a reply to 'hostname\\n' arrives; sctp: a raw SCTP INIT
            (IP protocol 132) is answered by the destination pod's capture with an INIT-ACK.
            Prints 'connected' (exit 0) or 'blocked: REASON' (exit 1).
            --ipv6   use the IPv6 address of TO
          """
              + COMMON_HELP);
      return 0;
    }
    if (a.positional.size() != 3) {
      throw new IllegalArgumentException("probe needs FROM TO PORT");
    }
    int port;
    try {
      port = Integer.parseInt(a.positional.get(2));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "probe port '" + a.positional.get(2) + "' is not a number");
    }
    Duration timeout = duration(a.get("--timeout", "1s"));
    try (Lab lab = new Lab(config(a))) {
      String host = lab.resolve(a.positional.get(1), a.flags.contains("--ipv6"));
      ProbeResult r =
          lab.probe(a.positional.get(0), host, port, a.get("--protocol", "tcp"), timeout);
      out.println(
          r.connected()
              ? r.detail()
              : r.detail().startsWith("blocked") ? r.detail() : "blocked: " + r.detail());
      return r.connected() ? 0 : 1;
    }
  }

  private int list(List<String> words, PrintStream out) {
    Args a = Args.parse(words, COMMON, Set.of("--no-api"));
    if (a.help()) {
      out.print(
          "usage: netpol lab list\n  the lab's pods: netns, host link, addresses, served ports, server pid\n"
              + COMMON_HELP);
      return 0;
    }
    Lab lab = new Lab(config(a, true));
    List<LabPod> pods = lab.pods();
    out.printf(
        "%-24s %-24s %-15s %-15s %-22s %-8s %s%n",
        "POD", "NETNS", "HOST-LINK", "IPV4", "IPV6", "SERVER", "SERVES");
    for (LabPod p : pods) {
      String server =
          p.pid() == 0
              ? "-"
              : Files.exists(Path.of("/proc/" + p.pid())) ? Long.toString(p.pid()) : "dead";
      out.printf(
          "%-24s %-24s %-15s %-15s %-22s %-8s %s%n",
          p.key(),
          p.netns(),
          p.hostVeth(),
          p.ipv4(),
          p.ipv6() == null ? "-" : p.ipv6(),
          server,
          String.join(",", p.serve()));
    }
    return 0;
  }

  private int down(List<String> words, PrintStream out, PrintStream err) {
    Args a = Args.parse(words, COMMON, Set.of("--no-api"));
    if (a.help()) {
      out.print(
          "usage: netpol lab down\n  remove every pod (processes, netns, links, routes, Pod and Service objects) and the\n"
              + "  namespaces the lab created; the blackhole routes for the lab ranges stay\n"
              + COMMON_HELP);
      return 0;
    }
    try (Lab lab = new Lab(config(a, true))) {
      int n = lab.pods().size();
      List<String> problems = lab.down();
      problems.forEach(p -> err.println("netpol lab: " + p));
      out.println(
          "lab down: removed "
              + n
              + " pods"
              + (problems.isEmpty() ? "" : ", " + problems.size() + " problems"));
      return problems.isEmpty() ? 0 : 1;
    }
  }

  private static PodSpec spec(String key, Args a) {
    String[] nn = key(key);
    List<ServePort> serve = new ArrayList<>();
    for (String s : a.get("--serve", "").split(",")) {
      if (!s.isBlank()) {
        serve.add(ServePort.parse(s));
      }
    }
    return new PodSpec(
        nn[0],
        nn[1],
        labels(a.get("--labels", "")),
        serve,
        a.flags.contains("--ipv6"),
        a.options.get("--node"),
        a.flags.contains("--service"));
  }

  static String[] key(String key) {
    String[] nn = key.split("/");
    if (nn.length != 2 || nn[0].isEmpty() || nn[1].isEmpty()) {
      throw new IllegalArgumentException("'" + key + "' is not NS/NAME");
    }
    return nn;
  }

  static Map<String, String> labels(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : text.split(",")) {
      if (kv.isBlank()) {
        continue;
      }
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("label '" + kv + "' is not KEY=VALUE");
      }
      m.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
    }
    return m;
  }

  private static String join(Map<String, String> labels) {
    List<String> out = new ArrayList<>();
    labels.forEach((k, v) -> out.add(k + "=" + v));
    return String.join(",", out);
  }

  static Duration duration(String s) {
    String t = s.strip();
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      return Duration.ofMillis(
          Math.round(
              Double.parseDouble(t.endsWith("s") ? t.substring(0, t.length() - 1) : t) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("timeout '" + s + "' is not a duration like 1s or 500ms");
    }
  }

  private static LabConfig config(Args a) {
    return config(a, false);
  }

  /** {@code tolerant}: a missing kubeconfig only disables the API side (list, down). */
  private static LabConfig config(Args a, boolean tolerant) {
    String home = System.getProperty("user.home");
    Path kubeconfig =
        a.flags.contains("--no-api")
            ? null
            : Path.of(a.get("--kubeconfig", home + "/.netpol/standalone/kubeconfig"));
    if (kubeconfig != null
        && tolerant
        && !a.options.containsKey("--kubeconfig")
        && !Files.exists(kubeconfig)) {
      kubeconfig = null;
    }
    return new LabConfig(
        Path.of(a.get("--data-dir", home + "/.netpol/lab")),
        kubeconfig,
        a.get("--pool4", LabConfig.DEFAULT_POOL4),
        a.get("--pool6", LabConfig.DEFAULT_POOL6),
        System.getProperty("netpol.lab.name-prefix", "npl"),
        a.get("--node-name", nodeName()),
        a.get("--host-ip", hostIp()));
  }

  static String nodeName() {
    String env = System.getenv("NODE_NAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    String prop = System.getProperty("netpol.node.name");
    if (prop != null && !prop.isBlank()) {
      return prop;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }

  /** The first global IPv4 address of an interface that is up (the lab's veths have none). */
  static String hostIp() {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress addr : Collections.list(nif.getInetAddresses())) {
          if (addr instanceof Inet4Address
              && !addr.isLinkLocalAddress()
              && !addr.isLoopbackAddress()) {
            return addr.getHostAddress();
          }
        }
      }
    } catch (Exception ignored) {
      // fall through
    }
    return "127.0.0.1";
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> s = new java.util.HashSet<>(a);
    s.addAll(b);
    return s;
  }

  private static void print(PrintStream out, LabPod p) {
    out.printf(
        "pod %s: netns %s, host link %s, %s%s%s%s%n",
        p.key(),
        p.netns(),
        p.hostVeth(),
        p.ipv4(),
        p.ipv6() == null ? "" : " " + p.ipv6(),
        p.serve().isEmpty() ? "" : ", serves " + String.join(",", p.serve()),
        p.service() == null ? "" : ", service " + p.service());
  }
}
