package dev.netpol.backend.ebpf;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.PodEndpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pods as network namespaces: a veth pair per pod (host side in the root namespace, eth0 inside),
 * /32 and /128 host routes, proxy ARP and a default route via 169.254.1.1 (IPv6: via fe80::1 on the
 * host veth). Pod-to-pod routing is enabled per interface only (forwarding / force_forwarding on
 * our own host veths, which vanish with them). Addresses: 198.18.20.(10+i), fd00:198:18:20::(10+i).
 */
final class Lab implements AutoCloseable {
  record Pod(PodKey key, String netns, String hostVeth, String ip4, String ip6) {
    PodEndpoint endpoint() {
      return new PodEndpoint(key, List.of(Frames.ip(ip4), Frames.ip(ip6)), hostVeth);
    }
  }

  final TestRoot root = new TestRoot();
  final Path scripts;
  private final List<Process> processes = new ArrayList<>();
  private final List<String> hostVeths = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Writing net.ipv4.ip_forward (as other tests on this machine do) resets every interface's
   * forwarding flag, ours included; this keeps our own veths forwarding while the lab lives.
   */
  private final java.util.concurrent.ScheduledExecutorService keeper =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lab-forwarding");
            t.setDaemon(true);
            return t;
          });

  Lab() throws IOException {
    TestRoot.sweepLeftovers();
    scripts = Files.createTempDirectory(root.prefix);
    keeper.scheduleWithFixedDelay(
        this::keepForwarding, 20, 20, java.util.concurrent.TimeUnit.MILLISECONDS);
    for (String s :
        List.of(
            "server.py", "probe.py", "stream.py", "spoof.py", "push.py", "bulk.py", "udpbig.py")) {
      try (InputStream in = Lab.class.getResourceAsStream("/lab/" + s)) {
        Files.write(scripts.resolve(s), in.readAllBytes());
      }
    }
  }

  Pod pod(int i) {
    String ns = root.prefix + "p" + i;
    String veth = root.prefix + "h" + i;
    String ip4 = "198.18.20." + (10 + i);
    String ip6 = "fd00:198:18:20::" + Integer.toHexString(0x10 + i);
    Sh.ok("ip", "netns", "add", ns);
    Sh.ok("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
    Sh.ok("ip", "link", "set", veth, "up");
    Sh.ok("sysctl", "-qw", "net.ipv4.conf." + veth + ".proxy_arp=1");
    // proxy ARP answers after a random delay of up to 0.8 s by default: longer than a probe waits
    Sh.ok("sysctl", "-qw", "net.ipv4.neigh." + veth + ".proxy_delay=0");
    Sh.ok("sysctl", "-qw", "net.ipv4.conf." + veth + ".forwarding=1");
    Sh.run("sysctl", "-qw", "net.ipv6.conf." + veth + ".force_forwarding=1");
    Sh.ok("ip", "addr", "add", "fe80::1/64", "dev", veth);
    in(ns, "ip", "link", "set", "lo", "up");
    in(ns, "ip", "link", "set", "eth0", "up");
    in(ns, "ip", "addr", "add", ip4 + "/32", "dev", "eth0");
    in(ns, "ip", "-6", "addr", "add", ip6 + "/128", "dev", "eth0", "nodad");
    in(ns, "ip", "route", "add", "169.254.1.1", "dev", "eth0");
    in(ns, "ip", "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    in(ns, "ip", "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
    Sh.ok("ip", "route", "replace", ip4 + "/32", "dev", veth);
    Sh.ok("ip", "-6", "route", "replace", ip6 + "/128", "dev", veth);
    hostVeths.add(veth);
    return new Pod(new PodKey("lab", "pod" + i), ns, veth, ip4, ip6);
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

  static void in(String ns, String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    c.addAll(List.of(cmd));
    Sh.ok(c.toArray(String[]::new));
  }

  /** Starts the echo server in the pod and waits until it listens. */
  void server(Pod p, int... ports) throws IOException {
    List<String> c =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                p.netns(),
                "python3",
                scripts.resolve("server.py").toString()));
    for (int port : ports) {
      c.add(String.valueOf(port));
    }
    Process proc = Sh.start(c);
    processes.add(proc);
    String line =
        new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    if (!"ready".equals(line)) {
      throw new IllegalStateException("server in " + p.netns() + " did not start: " + line);
    }
  }

  boolean probe(Pod from, String host, int port) {
    return Sh.run(
            "ip",
            "netns",
            "exec",
            from.netns(),
            "python3",
            scripts.resolve("probe.py").toString(),
            host,
            String.valueOf(port))
        .out()
        .trim()
        .equals("1");
  }

  boolean probeFromPort(Pod from, String host, int port, int sport) {
    return Sh.run(
            "ip",
            "netns",
            "exec",
            from.netns(),
            "python3",
            scripts.resolve("probe.py").toString(),
            host,
            String.valueOf(port),
            String.valueOf(sport))
        .out()
        .trim()
        .equals("1");
  }

  /**
   * Starts a lab script in the pod and waits for its first output line, which must be {@code first}
   * ("ready" for servers, "connected" for clients); the process is stopped with the lab.
   */
  Process start(Pod p, String first, String script, String... args) throws IOException {
    List<String> c =
        new ArrayList<>(
            List.of(
                "ip", "netns", "exec", p.netns(), "python3", scripts.resolve(script).toString()));
    c.addAll(List.of(args));
    Process proc = Sh.start(c);
    processes.add(proc);
    String line = firstLine(proc);
    if (!first.equals(line)) {
      throw new IllegalStateException(script + " in " + p.netns() + " said " + line);
    }
    return proc;
  }

  /** Reads the next line of a process started by {@link #start}. */
  static String nextLine(Process p) throws IOException {
    return firstLine(p);
  }

  private static String firstLine(Process p) throws IOException {
    StringBuilder b = new StringBuilder();
    InputStream in = p.getInputStream();
    int ch;
    while ((ch = in.read()) >= 0 && ch != '\n') {
      b.append((char) ch);
    }
    return b.toString();
  }

  /** Runs a lab script in the pod to its end; returns its output, trimmed. */
  String run(Pod p, String script, String... args) {
    List<String> c =
        new ArrayList<>(
            List.of(
                "ip", "netns", "exec", p.netns(), "python3", scripts.resolve(script).toString()));
    c.addAll(List.of(args));
    return Sh.run(c.toArray(String[]::new)).out().trim();
  }

  /**
   * Turns the root namespace's connection tracking on for forwarded packets while open (an nft
   * table of this run whose rule matches on ct state), as an iptables node has it.
   */
  AutoCloseable kernelConntrack() {
    String table = root.prefix + "ct";
    Sh.ok("nft", "add", "table", "inet", table);
    Sh.ok(
        "nft",
        "add",
        "chain",
        "inet",
        table,
        "ctfwd",
        "{ type filter hook forward priority 0; policy accept; }");
    Sh.ok("nft", "add", "rule", "inet", table, "ctfwd", "ct", "state", "established", "counter");
    return () -> Sh.run("nft", "delete", "table", "inet", table);
  }

  /** A running stream client; {@link Stream#result()} waits for its "ok=N fail=M" line. */
  final class Stream {
    final Process process;
    final BufferedReader out;

    Stream(Pod from, String host, int port, int count, double interval) throws IOException {
      process =
          Sh.start(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  from.netns(),
                  "python3",
                  scripts.resolve("stream.py").toString(),
                  host,
                  String.valueOf(port),
                  String.valueOf(count),
                  String.valueOf(interval)));
      processes.add(process);
      out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      if (!"connected".equals(first)) {
        throw new IllegalStateException("stream did not connect: " + first);
      }
    }

    int[] result() throws IOException {
      String line = out.readLine();
      String[] f = line.replace("ok=", "").replace("fail=", "").split(" ");
      return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
    }
  }

  Stream stream(Pod from, String host, int port, int count, double interval) throws IOException {
    return new Stream(from, host, port, count, interval);
  }

  void spoof(Pod from, String src, String dst, int sport, int dport) {
    Sh.ok(
        "ip",
        "netns",
        "exec",
        from.netns(),
        "python3",
        scripts.resolve("spoof.py").toString(),
        src,
        dst,
        String.valueOf(sport),
        String.valueOf(dport));
  }

  @Override
  public void close() {
    keeper.shutdownNow();
    for (Process p : processes) {
      p.destroyForcibly();
    }
    root.close();
    try (var s = Files.list(scripts)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(scripts);
    } catch (IOException e) {
      // temp files only
    }
  }
}
