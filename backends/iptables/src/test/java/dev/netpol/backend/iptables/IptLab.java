package dev.netpol.backend.iptables;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.PodEndpoint;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.Netfilter;
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
import java.util.HexFormat;
import java.util.List;

/**
 * Pods as network namespaces for the iptables backend's tests: a veth pair per pod, host routes,
 * proxy ARP, forwarding on our own veths only. Names {@code npx} + 4 hex (netns, veths) and {@code
 * NPX} + 4 hex (chains, sets); addresses 198.18.27.(10+i) and fd00:198:18:27::(10+i). Leftovers of
 * earlier runs of this prefix family are swept on start; everything is removed on close.
 */
final class IptLab implements AutoCloseable {
  record Pod(PodKey key, String netns, String hostVeth, String ip4, String ip6) {
    PodEndpoint endpoint() {
      return new PodEndpoint(
          key,
          List.of(Cidr.parseAddress(ip4, "ip", ip4), Cidr.parseAddress(ip6, "ip", ip6)),
          hostVeth);
    }
  }

  final String prefix;
  final String chainPrefix;
  private final Path scripts;
  private final List<Process> processes = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();

  IptLab() throws IOException {
    byte[] b = new byte[2];
    new java.security.SecureRandom().nextBytes(b);
    String hex = HexFormat.of().formatHex(b);
    prefix = "npx" + hex;
    chainPrefix = "NPX" + hex;
    sweep();
    scripts = Files.createTempDirectory(prefix);
    for (String s : List.of("server.py", "probe.py", "stream.py")) {
      try (InputStream in = IptLab.class.getResourceAsStream("/lab/" + s)) {
        Files.write(scripts.resolve(s), in.readAllBytes());
      }
    }
  }

  static String sh(String... cmd) {
    return Processes.check(List.of(cmd), null, Duration.ofSeconds(30));
  }

  static void in(String ns, String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    c.addAll(List.of(cmd));
    Processes.check(c, null, Duration.ofSeconds(30));
  }

  Pod pod(int i) {
    String ns = prefix + "p" + i;
    String veth = prefix + "h" + i;
    String ip4 = "198.18.27." + (10 + i);
    String ip6 = "fd00:198:18:27::" + Integer.toHexString(0x10 + i);
    sh("ip", "netns", "add", ns);
    sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
    sh("ip", "link", "set", veth, "up");
    sh("sysctl", "-qw", "net.ipv4.conf." + veth + ".proxy_arp=1");
    sh("sysctl", "-qw", "net.ipv4.neigh." + veth + ".proxy_delay=0");
    sh("sysctl", "-qw", "net.ipv4.conf." + veth + ".forwarding=1");
    Processes.run(
        List.of("sysctl", "-qw", "net.ipv6.conf." + veth + ".force_forwarding=1"),
        Duration.ofSeconds(10));
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
    Pod p = new Pod(new PodKey("lab", "pod" + i), ns, veth, ip4, ip6);
    pods.add(p);
    return p;
  }

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
    Process proc = new ProcessBuilder(c).redirectErrorStream(true).start();
    processes.add(proc);
    String line =
        new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    if (!"ready".equals(line)) {
      throw new IllegalStateException("server in " + p.netns() + " did not start: " + line);
    }
  }

  /** A TCP echo round trip from the pod (or from the host when {@code from} is null). */
  boolean probe(Pod from, String host, int port) {
    List<String> c = new ArrayList<>();
    if (from != null) {
      c.addAll(List.of("ip", "netns", "exec", from.netns()));
    }
    c.addAll(
        List.of("python3", scripts.resolve("probe.py").toString(), host, String.valueOf(port)));
    return Processes.run(c, Duration.ofSeconds(20)).out().trim().equals("1");
  }

  /** A long TCP connection: one echo per interval; {@link Stream#result()} waits for the end. */
  final class Stream {
    final BufferedReader out;

    Stream(Pod from, String host, int port, int count, double interval) throws IOException {
      Process process =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  from.netns(),
                  "python3",
                  scripts.resolve("stream.py").toString(),
                  host,
                  String.valueOf(port),
                  String.valueOf(count),
                  String.valueOf(interval))
              .redirectErrorStream(true)
              .start();
      processes.add(process);
      out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      if (!"connected".equals(first)) {
        throw new IllegalStateException("stream did not connect: " + first);
      }
    }

    /** {ok, fail} */
    int[] result() throws IOException {
      String[] f = out.readLine().replace("ok=", "").replace("fail=", "").split(" ");
      return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
    }
  }

  Stream stream(Pod from, String host, int port, int count, double interval) throws IOException {
    return new Stream(from, host, port, count, interval);
  }

  /** Removes every namespace, chain and set of this test family (ours and earlier runs'). */
  private void sweep() {
    for (String ns : sh("ip", "netns", "list").split("\n")) {
      String name = ns.split(" ")[0];
      if (name.startsWith("npx")) {
        Processes.run(List.of("ip", "netns", "del", name), Duration.ofSeconds(10));
      }
    }
    for (String link : sh("ip", "-o", "link", "show").split("\n")) {
      String[] w = link.split(":\\s+");
      if (w.length > 1 && w[1].startsWith("npx")) {
        Processes.run(
            List.of("ip", "link", "del", w[1].replaceAll("@.*", "")), Duration.ofSeconds(10));
      }
    }
    String save = sh("iptables-save") + sh("ip6tables-save") + sh("ipset", "list", "-n");
    java.util.Set<String> prefixes = new java.util.TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("NPX[0-9a-f]{4}").matcher(save);
    while (m.find()) {
      prefixes.add(m.group());
    }
    prefixes.add(chainPrefix);
    for (String p : prefixes) {
      Netfilter nf = new Netfilter(p, Duration.ofSeconds(30));
      for (Family f : Family.values()) {
        Netfilter.Saved saved = nf.save(f);
        nf.apply(
            new Netfilter.Ruleset(
                f,
                List.of(),
                saved.chains().keySet(),
                List.of(),
                saved.jumps().stream().map(j -> new Netfilter.Jump(j.chain(), j.spec())).toList()));
      }
      nf.applySets(List.of(), List.of(), List.copyOf(nf.sets().keySet()));
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Pod p : pods) {
      Processes.run(List.of("ip", "netns", "del", p.netns()), Duration.ofSeconds(10));
      Processes.run(List.of("ip", "link", "del", p.hostVeth()), Duration.ofSeconds(10));
      Processes.run(List.of("ip", "route", "del", p.ip4() + "/32"), Duration.ofSeconds(10));
      Processes.run(List.of("ip", "-6", "route", "del", p.ip6() + "/128"), Duration.ofSeconds(10));
    }
    sweep();
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
