package dev.netpol.lab.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel side of a lab pod, made the way a routed CNI (Calico-like) makes it: a network
 * namespace with {@code eth0}, the host end of the veth pair with no address, /32 and /128 routes
 * to the pod on the host, and inside the pod a default route via 169.254.1.1 (IPv4) and fe80::1
 * (IPv6) whose neighbour entries point at the host end's MAC. proxy_arp on the host end also
 * answers for 169.254.1.1 should the pod flush its neighbours.
 */
public final class PodNetwork {
  static final String GATEWAY4 = "169.254.1.1";
  static final String GATEWAY6 = "fe80::1";
  private static final Logger LOG = LoggerFactory.getLogger(PodNetwork.class);
  private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

  private PodNetwork() {}

  /** Adds the lab's blackhole routes so lab traffic never leaves the machine; kept afterwards. */
  public static void ensureBlackholes() {
    blackhole("-4", "198.18.0.0/15");
    blackhole("-6", "fd00:198:18::/48");
  }

  private static void blackhole(String family, String cidr) {
    if (Shell.run("ip", family, "route", "show", "type", "blackhole", cidr).out().isBlank()) {
      Shell.Result r = Shell.run("ip", family, "route", "add", "blackhole", cidr);
      if (!r.ok() && !r.out().contains("File exists")) {
        throw new IllegalStateException(
            "cannot add the blackhole route " + cidr + ": " + r.out().strip());
      }
    }
  }

  /** Makes the namespace, the veth pair, addresses, routes and neighbours of one pod. */
  public static void create(String netns, String hostVeth, String ipv4, String ipv6) {
    Shell.check("ip", "netns", "add", netns);
    Shell.check(
        "ip", "link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", netns);
    sysctl("ipv4", hostVeth, "proxy_arp", "1");
    sysctl("ipv4", hostVeth, "forwarding", "1"); // per input device: no global ip_forward needed
    sysctl("ipv4", hostVeth, "send_redirects", "0");
    if (ipv6 != null) {
      sysctl("ipv6", hostVeth, "accept_dad", "0");
      if (Files.exists(Path.of("/proc/sys/net/ipv6/conf", hostVeth, "force_forwarding"))) {
        sysctl("ipv6", hostVeth, "force_forwarding", "1");
      } else if (!"1".equals(read("/proc/sys/net/ipv6/conf/all/forwarding"))) {
        LOG.warn(
            "pod {}: IPv6 forwarding is off and this kernel has no per-link force_forwarding; IPv6 between pods needs net.ipv6.conf.all.forwarding=1",
            netns);
      }
    }
    Shell.check("ip", "link", "set", hostVeth, "up");
    String hostMac = read("/sys/class/net/" + hostVeth + "/address");
    String[] in = {"ip", "-n", netns};
    Shell.check(cat(in, "link", "set", "lo", "up"));
    if (ipv6 != null) {
      Shell.check("ip", "netns", "exec", netns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0");
    }
    Shell.check(cat(in, "link", "set", "eth0", "up"));
    Shell.check(cat(in, "addr", "add", ipv4 + "/32", "dev", "eth0"));
    Shell.check(cat(in, "route", "add", GATEWAY4, "dev", "eth0", "scope", "link"));
    Shell.check(cat(in, "route", "add", "default", "via", GATEWAY4, "dev", "eth0"));
    Shell.check(
        cat(
            in,
            "neigh",
            "replace",
            GATEWAY4,
            "lladdr",
            hostMac,
            "dev",
            "eth0",
            "nud",
            "permanent"));
    Shell.check("ip", "route", "replace", ipv4 + "/32", "dev", hostVeth);
    if (ipv6 != null) {
      String podMac = podMac(netns);
      Shell.check(cat(in, "addr", "add", ipv6 + "/128", "dev", "eth0", "nodad"));
      Shell.check(cat(in, "-6", "route", "add", "default", "via", GATEWAY6, "dev", "eth0"));
      Shell.check(
          cat(
              in,
              "-6",
              "neigh",
              "replace",
              GATEWAY6,
              "lladdr",
              hostMac,
              "dev",
              "eth0",
              "nud",
              "permanent"));
      Shell.check("ip", "-6", "route", "replace", ipv6 + "/128", "dev", hostVeth);
      Shell.check(
          "ip",
          "-6",
          "neigh",
          "replace",
          ipv6,
          "lladdr",
          podMac,
          "dev",
          hostVeth,
          "nud",
          "permanent");
    }
  }

  /** Removes the pod's links and namespace (routes go with the link); missing parts are fine. */
  public static void delete(String netns, String hostVeth) {
    Shell.run("ip", "link", "del", hostVeth);
    Shell.run("ip", "netns", "del", netns);
  }

  public static boolean netnsExists(String netns) {
    return Files.exists(Path.of("/run/netns", netns));
  }

  public static boolean linkExists(String link) {
    return Files.exists(Path.of("/sys/class/net", link));
  }

  private static String podMac(String netns) {
    Matcher m = MAC.matcher(Shell.check("ip", "-n", netns, "link", "show", "eth0"));
    if (!m.find()) {
      throw new IllegalStateException("pod netns " + netns + ": eth0 has no MAC address");
    }
    return m.group(1);
  }

  private static void sysctl(String family, String link, String key, String value) {
    Path p = Path.of("/proc/sys/net", family, "conf", link, key);
    try {
      Files.writeString(p, value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot set " + p + " = " + value + ": " + e.getMessage());
    }
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path)).strip();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path + ": " + e.getMessage());
    }
  }

  private static String[] cat(String[] head, String... tail) {
    String[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }
}
