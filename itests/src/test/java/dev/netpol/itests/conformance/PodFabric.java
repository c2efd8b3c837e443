package dev.netpol.itests.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Pods as network namespaces, wired the way a simple CNI would: a veth pair per pod (host side in
 * the root namespace, eth0 inside), /32 and /128 host routes, proxy ARP and a default route via
 * 169.254.1.1 (IPv6: via fe80::1 on the host veth). Forwarding is enabled per interface only, on
 * our own host veths. Addresses: 198.19.236.0/24 and fd00:198:18:236::/64, both blackholed on the
 * host while the suite runs so that nothing leaves the machine. Names: netns
 * npc&lt;id&gt;-&lt;ns&gt;&lt;pod&gt;, host veth npc&lt;id&gt;&lt;ns&gt;&lt;pod&gt;; leftovers of
 * this family are removed on start.
 */
final class PodFabric implements AutoCloseable {
  static final String NET4 = "198.19.236.0/24";
  static final String NET6 = "fd00:198:18:236::/64";
  private static final Pattern OUR_NETNS = Pattern.compile("npc[0-9a-f]{4}-[xyz][abc]");
  private static final Pattern OUR_LINK = Pattern.compile("npc[0-9a-f]{4}[xyz][abc]");

  /** One wired pod: its namespace, host interface and addresses. */
  record Wired(PodRef ref, String netns, String hostVeth, String ip4, String ip6) {}

  final String runId;
  private final List<Wired> wired = new ArrayList<>();

  PodFabric(String runId) {
    this.runId = runId;
    sweepLeftovers();
    Sh.run("ip", "route", "replace", "blackhole", NET4);
    Sh.run("ip", "-6", "route", "replace", "blackhole", NET6);
  }

  Wired wire(PodRef ref) {
    String netns = "npc" + runId + "-" + ref.namespace() + ref.pod();
    String veth = "npc" + runId + ref.namespace() + ref.pod();
    int host = 10 + ref.index();
    String ip4 = "198.19.236." + host;
    String ip6 = "fd00:198:18:236::" + Integer.toHexString(host);
    Wired w = new Wired(ref, netns, veth, ip4, ip6);
    synchronized (wired) {
      wired.add(w);
    }
    Sh.ok("ip", "netns", "add", netns);
    Sh.ok("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns);
    Sh.ok("sysctl", "-qw", "net.ipv4.conf." + veth + ".proxy_arp=1");
    Sh.ok("sysctl", "-qw", "net.ipv4.conf." + veth + ".forwarding=1");
    Sh.ok("sysctl", "-qw", "net.ipv4.conf." + veth + ".rp_filter=0");
    Sh.run("sysctl", "-qw", "net.ipv6.conf." + veth + ".force_forwarding=1");
    Sh.ok("ip", "link", "set", veth, "up");
    Sh.ok("ip", "addr", "add", "fe80::1/64", "dev", veth, "nodad");
    in(netns, "ip", "link", "set", "lo", "up");
    in(netns, "ip", "link", "set", "eth0", "up");
    in(netns, "ip", "addr", "add", ip4 + "/32", "dev", "eth0");
    in(netns, "ip", "-6", "addr", "add", ip6 + "/128", "dev", "eth0", "nodad");
    in(netns, "ip", "route", "add", "169.254.1.1", "dev", "eth0");
    in(netns, "ip", "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    in(netns, "ip", "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
    Sh.ok("ip", "route", "replace", ip4 + "/32", "dev", veth);
    Sh.ok("ip", "-6", "route", "replace", ip6 + "/128", "dev", veth);
    return w;
  }

  private static void in(String netns, String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    c.addAll(List.of(cmd));
    Sh.ok(c.toArray(String[]::new));
  }

  /**
   * Kills what runs in the namespace, deletes the veth (its routes go with it) and the namespace.
   */
  private static void unwire(String netns, String veth) {
    for (String pid : Sh.run("ip", "netns", "pids", netns).out().split("\\s+")) {
      if (!pid.isBlank()) {
        Sh.run("kill", "-9", pid.trim());
      }
    }
    if (veth != null) {
      Sh.run("ip", "link", "del", veth);
    }
    Sh.run("ip", "netns", "del", netns);
  }

  static void sweepLeftovers() {
    for (String line : Sh.run("ip", "netns", "list").out().split("\n")) {
      String name = line.split(" ")[0].trim();
      if (OUR_NETNS.matcher(name).matches()) {
        unwire(name, null);
      }
    }
    for (String line : Sh.run("ip", "-o", "link", "show").out().split("\n")) {
      String[] f = line.split(":\\s+");
      if (f.length > 1) {
        String name = f[1].split("@")[0];
        if (OUR_LINK.matcher(name).matches()) {
          Sh.run("ip", "link", "del", name);
        }
      }
    }
  }

  @Override
  public void close() {
    for (Wired w : wired) {
      unwire(w.netns(), w.hostVeth());
    }
    wired.clear();
    Sh.run("ip", "route", "del", "blackhole", NET4);
    Sh.run("ip", "-6", "route", "del", "blackhole", NET6);
  }
}
