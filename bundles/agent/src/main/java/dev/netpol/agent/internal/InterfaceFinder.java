package dev.netpol.agent.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Finds a pod's host-side interface from the kernel routing table: the device of the most specific
 * route to the pod's address. Works with any CNI that routes pod addresses to host veths, whatever
 * it names them. Reads {@code /proc/net/route} and {@code /proc/net/ipv6_route} (no process per
 * reconcile: a forked {@code ip route get} cost milliseconds and could hang the agent's worker).
 */
final class InterfaceFinder {
  private static final int RTF_UP = 0x1;
  private static final int RTF_REJECT = 0x200;
  private final Path procNet;

  InterfaceFinder() {
    this(Path.of("/proc/net"));
  }

  InterfaceFinder(Path procNet) {
    this.procNet = procNet;
  }

  Optional<String> find(InetAddress podAddress) {
    try {
      if (podAddress.isLoopbackAddress()
          || java.net.NetworkInterface.getByInetAddress(podAddress) != null) {
        return Optional.empty(); // one of this host's own addresses (a host-network pod)
      }
      return podAddress instanceof Inet6Address
          ? lookup6(Files.readString(procNet.resolve("ipv6_route")), podAddress.getAddress())
          : lookup4(Files.readString(procNet.resolve("route")), podAddress.getAddress());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Longest match in {@code /proc/net/route} (addresses and masks in host byte order, little endian
   * here); ties go to the lower metric. Reject and blackhole routes ({@code *}) and {@code lo} are
   * not pods'.
   */
  static Optional<String> lookup4(String table, byte[] address) {
    long addr = toLong(address);
    String best = null;
    int bestLen = -1;
    long bestMetric = Long.MAX_VALUE;
    for (String line : table.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8 || f[0].equals("Iface")) {
        continue;
      }
      int flags = Integer.parseInt(f[3], 16);
      long dest = toLong(littleEndian(f[1]));
      long mask = toLong(littleEndian(f[7]));
      long metric = Long.parseLong(f[6]);
      int len = Long.bitCount(mask);
      if ((flags & RTF_UP) == 0 || (addr & mask) != dest) {
        continue;
      }
      if (len > bestLen || (len == bestLen && metric < bestMetric)) {
        best = (flags & RTF_REJECT) != 0 ? "*" : f[0];
        bestLen = len;
        bestMetric = metric;
      }
    }
    return pod(best);
  }

  /** Longest match in {@code /proc/net/ipv6_route} (every table; local addresses are on lo). */
  static Optional<String> lookup6(String table, byte[] address) {
    String best = null;
    int bestLen = -1;
    long bestMetric = Long.MAX_VALUE;
    for (String line : table.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10) {
        continue;
      }
      byte[] dest = HexFormat.of().parseHex(f[0]);
      int len = Integer.parseInt(f[1], 16);
      long metric = Long.parseLong(f[5], 16);
      int flags = (int) Long.parseLong(f[8], 16);
      if ((flags & RTF_UP) == 0 || !matches(dest, address, len)) {
        continue;
      }
      if (len > bestLen || (len == bestLen && metric < bestMetric)) {
        best = (flags & RTF_REJECT) != 0 ? "*" : f[9];
        bestLen = len;
        bestMetric = metric;
      }
    }
    return pod(best);
  }

  private static Optional<String> pod(String dev) {
    return dev == null || dev.equals("*") || dev.equals("lo") ? Optional.empty() : Optional.of(dev);
  }

  private static boolean matches(byte[] prefix, byte[] address, int len) {
    for (int bit = 0; bit < len; bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((prefix[bit / 8] & mask) != (address[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static byte[] littleEndian(String hex) {
    byte[] b = HexFormat.of().parseHex(hex);
    return new byte[] {b[3], b[2], b[1], b[0]};
  }

  private static long toLong(byte[] b) {
    return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
  }
}
