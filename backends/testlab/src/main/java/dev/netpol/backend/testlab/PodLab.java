package dev.netpol.backend.testlab;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.netfilter.process.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Pods as network namespaces for the backends' kernel tests: a veth pair per pod (host side in the
 * root namespace, eth0 inside), /32 and /128 host routes, proxy ARP and a default route via
 * 169.254.1.1 (IPv6: via fe80::1 on the host veth). Pod-to-pod routing is enabled per interface
 * only (forwarding / force_forwarding on our own host veths, which vanish with them). Names: the
 * run's {@code prefix} + {@code p}/{@code h} + i; addresses 198.18.{@code subnet}.(10+i) and
 * fd00:198:18:{@code subnet}::(10+i). The lab's Python scripts (servers, probes, streams) run
 * inside the pods. {@link #close()} removes every process, namespace, veth and nft table it made.
 */
public final class PodLab implements AutoCloseable {
  /** One pod: its namespace, host-side veth and addresses. */
  public record Pod(PodKey key, String netns, String hostVeth, String ip4, String ip6) {
    public PodEndpoint endpoint() {
      return new PodEndpoint(
          key,
          List.of(Cidr.parseAddress(ip4, "ip", ip4), Cidr.parseAddress(ip6, "ip", ip6)),
          hostVeth);
    }
  }

  private static final List<String> SCRIPTS =
      List.of("server.py", "probe.py", "stream.py", "spoof.py", "push.py", "bulk.py", "udpbig.py");

  private final String prefix;
  private final int subnet;
  private final Path scripts;
  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private final List<String> hostVeths = new CopyOnWriteArrayList<>();

  /**
   * Writing net.ipv4.ip_forward (as other tests on this machine do) resets every interface's
   * forwarding flag, ours included; this keeps our own veths forwarding while the lab lives.
   */
  private final ScheduledExecutorService keeper =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lab-forwarding");
            t.setDaemon(true);
            return t;
          });

  /** {@code prefix}: this run's unique name prefix; {@code subnet}: the third octet (0-99). */
  public PodLab(String prefix, int subnet) throws IOException {
    this.prefix = prefix;
    this.subnet = subnet;
    scripts = Files.createTempDirectory(prefix);
    for (String s : SCRIPTS) {
      try (InputStream in = PodLab.class.getResourceAsStream("/lab/" + s)) {
        Files.write(scripts.resolve(s), in.readAllBytes());
      }
    }
    keeper.scheduleWithFixedDelay(this::keepForwarding, 20, 20, TimeUnit.MILLISECONDS);
  }

  public String prefix() {
    return prefix;
  }

  public Pod pod(int i) {
    String ns = prefix + "p" + i;
    String veth = prefix + "h" + i;
    String ip4 = "198.18." + subnet + "." + (10 + i);
    String ip6 = "fd00:198:18:" + subnet + "::" + Integer.toHexString(0x10 + i);
    sh("ip", "netns", "add", ns);
    sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
    hostVeths.add(veth);
    sh("ip", "link", "set", veth, "up");
    sh("sysctl", "-qw", "net.ipv4.conf." + veth + ".proxy_arp=1");
    // proxy ARP answers after a random delay of up to 0.8 s by default: longer than a probe waits
    sh("sysctl", "-qw", "net.ipv4.neigh." + veth + ".proxy_delay=0");
    sh("sysctl", "-qw", "net.ipv4.conf." + veth + ".forwarding=1");
    run("sysctl", "-qw", "net.ipv6.conf." + veth + ".force_forwarding=1");
    sh("ip", "addr", "add", "fe80::1/64", "dev", veth);
    in(ns, "ip", "link", "set", "lo", "up");
    in(ns, "ip", "link", "set", "eth0", "up");
    in(ns, "ip", "addr", "add", ip4 + "/32", "dev", "eth0");
    in(ns, "ip", "-6", "addr", "add", ip6 + "/128", "dev", "eth0", "nodad");
    in(ns, "ip", "route", "add", "169.254.1.1", "dev", "eth0");
    in(ns, "ip", "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    in(ns, "ip", "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
    sh("ip", "route", "replace", ip4 + "/32", "dev", veth);
    sh("ip", "-6", "route", "replace", ip6 + "/128", "dev", veth);
    return new Pod(new PodKey("lab", "pod" + i), ns, veth, ip4, ip6);
  }

  /** Runs a command; its stdout, or an exception with its stderr when it fails. */
  public static String sh(String... cmd) {
    return Processes.check(List.of(cmd), null, Duration.ofSeconds(60));
  }

  /** Runs a command whatever its outcome. */
  public static Processes.Result run(String... cmd) {
    return Processes.run(List.of(cmd), Duration.ofSeconds(60));
  }

  /** Runs a command inside the namespace {@code ns}; throws when it fails. */
  public static void in(String ns, String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    c.addAll(List.of(cmd));
    Processes.check(c, null, Duration.ofSeconds(60));
  }

  /** Starts the echo server in the pod and waits until it listens on every port. */
  public void server(Pod p, int... ports) throws IOException {
    List<String> args = new ArrayList<>();
    for (int port : ports) {
      args.add(String.valueOf(port));
    }
    start(p, "ready", "server.py", args.toArray(String[]::new));
  }

  /** A TCP echo round trip from the pod (or from the host when {@code from} is null). */
  public boolean probe(Pod from, String host, int port) {
    return script(from, "probe.py", host, String.valueOf(port)).equals("1");
  }

  /** The same from a fixed source port. */
  public boolean probeFromPort(Pod from, String host, int port, int sport) {
    return script(from, "probe.py", host, String.valueOf(port), String.valueOf(sport)).equals("1");
  }

  /**
   * Starts a lab script in the pod and waits for its first output line, which must be {@code first}
   * ("ready" for servers, "connected" for clients); the process is stopped with the lab.
   */
  public Process start(Pod p, String first, String script, String... args) throws IOException {
    List<String> c = new ArrayList<>(command(p, script));
    c.addAll(List.of(args));
    Process proc = new ProcessBuilder(c).redirectErrorStream(true).start();
    processes.add(proc);
    String line = nextLine(proc);
    if (!first.equals(line)) {
      throw new IllegalStateException(script + " in " + p.netns() + " said " + line);
    }
    return proc;
  }

  /** Reads the next line of a process started by {@link #start}. */
  public static String nextLine(Process p) throws IOException {
    StringBuilder b = new StringBuilder();
    InputStream in = p.getInputStream();
    int ch;
    while ((ch = in.read()) >= 0 && ch != '\n') {
      b.append((char) ch);
    }
    return b.toString();
  }

  /** Runs a lab script in the pod to its end; returns its output, trimmed. */
  public String run(Pod p, String script, String... args) {
    return script(p, script, args);
  }

  private String script(Pod from, String script, String... args) {
    List<String> c = new ArrayList<>(command(from, script));
    c.addAll(List.of(args));
    Processes.Result r = Processes.run(c, Duration.ofSeconds(60));
    return (r.out() + r.err()).trim();
  }

  private List<String> command(Pod p, String script) {
    List<String> c = new ArrayList<>();
    if (p != null) {
      c.addAll(List.of("ip", "netns", "exec", p.netns()));
    }
    c.addAll(List.of("python3", scripts.resolve(script).toString()));
    return c;
  }

  /**
   * Turns the root namespace's connection tracking on for forwarded packets while open (an nft
   * table of this run whose rule matches on ct state), as an iptables node has it.
   */
  public AutoCloseable kernelConntrack() {
    String table = prefix + "ct";
    sh("nft", "add", "table", "inet", table);
    sh(
        "nft",
        "add",
        "chain",
        "inet",
        table,
        "ctfwd",
        "{ type filter hook forward priority 0; policy accept; }");
    sh("nft", "add", "rule", "inet", table, "ctfwd", "ct", "state", "established", "counter");
    return () -> run("nft", "delete", "table", "inet", table);
  }

  /** A long TCP connection: one echo per interval; {@link Stream#result()} waits for the end. */
  public final class Stream {
    private final BufferedReader out;

    Stream(Pod from, String host, int port, int count, double interval) throws IOException {
      Process process =
          start(
              from,
              "connected",
              "stream.py",
              host,
              String.valueOf(port),
              String.valueOf(count),
              String.valueOf(interval));
      out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** {ok, fail}: echoes that came back and that did not. */
    public int[] result() throws IOException {
      String[] f = out.readLine().replace("ok=", "").replace("fail=", "").split(" ");
      return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
    }
  }

  public Stream stream(Pod from, String host, int port, int count, double interval)
      throws IOException {
    return new Stream(from, host, port, count, interval);
  }

  /** Sends one TCP SYN from {@code src} (a spoofed source address) out of the pod. */
  public void spoof(Pod from, String src, String dst, int sport, int dport) {
    List<String> c = new ArrayList<>(command(from, "spoof.py"));
    c.addAll(List.of(src, dst, String.valueOf(sport), String.valueOf(dport)));
    Processes.check(c, null, Duration.ofSeconds(60));
  }

  private void keepForwarding() {
    for (String veth : hostVeths) {
      for (String f :
          List.of(
              "/proc/sys/net/ipv4/conf/" + veth + "/forwarding",
              "/proc/sys/net/ipv6/conf/" + veth + "/force_forwarding")) {
        try {
          Path p = Path.of(f);
          if (Files.exists(p) && !Files.readString(p).trim().equals("1")) {
            Files.writeString(p, "1");
          }
        } catch (IOException | RuntimeException e) {
          // interface going away
        }
      }
    }
  }

  /**
   * Removes every link, network namespace and nft table whose name matches {@code regex}: a run's
   * own ({@code Pattern.quote(prefix) + ".*"}) or the leftovers of earlier runs of a test family
   * whose runs never overlap ({@code "npx[0-9a-f]{4}.*"}).
   */
  public static void removeMatching(String regex) {
    for (String line : run("ip", "-o", "link", "show").out().split("\n")) {
      String[] f = line.split(":\\s+");
      if (f.length > 1 && f[1].replaceAll("@.*", "").matches(regex)) {
        run("ip", "link", "del", f[1].replaceAll("@.*", ""));
      }
    }
    for (String ns : run("ip", "netns", "list").out().split("\n")) {
      String n = ns.split(" ")[0];
      if (n.matches(regex)) {
        run("ip", "netns", "del", n);
      }
    }
    for (String line : run("nft", "list", "tables").out().split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 3 && f[2].matches(regex)) {
        run("nft", "delete", "table", f[1], f[2]);
      }
    }
  }

  @Override
  public void close() {
    keeper.shutdownNow();
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    removeMatching(Pattern.quote(prefix) + ".*");
    try (var s = Files.list(scripts)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(scripts);
    } catch (IOException e) {
      // temporary copies of the scripts only
    }
  }
}
