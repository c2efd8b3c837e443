package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;

/**
 * Hands out Service cluster IPs from 198.19.192.0/20 and fd00:198:18:5e::/112, lowest free first.
 */
final class ClusterIpAllocator {
  static final String V4_RANGE = "198.19.192.0/20";
  static final String V6_RANGE = "fd00:198:18:5e::/112";

  private final ObjectStore store;

  /** Handed out but maybe not stored yet (concurrent creates). */
  private final Set<String> reserved = new HashSet<>();

  ClusterIpAllocator(ObjectStore store) {
    this.store = store;
  }

  static String range(String family) {
    return family.equals("IPv6") ? V6_RANGE : V4_RANGE;
  }

  synchronized String allocate(String family) {
    Cidrs.Net net = Cidrs.parse(range(family));
    Set<String> used = used();
    long size = 1L << (net.bits() - net.prefix());
    for (long i = 1; i < size - 1; i++) {
      String ip = format(net.network().add(BigInteger.valueOf(i)), net.bits());
      if (!used.contains(ip)) {
        reserved.add(ip);
        return ip;
      }
    }
    return null;
  }

  /** Why ip cannot be had, or null when it is free and in range. */
  synchronized String reserve(String family, String ip) {
    Cidrs.Net net = Cidrs.parse(range(family));
    Cidrs.Net addr = Cidrs.parse(ip + (ip.contains(":") ? "/128" : "/32"));
    if (addr == null || !net.contains(addr)) {
      return "failed to allocate IP "
          + ip
          + ": the provided IP ("
          + ip
          + ") is not in the valid range. The range of valid IPs is "
          + range(family);
    }
    String canonical = format(addr.network(), addr.bits());
    if (used().contains(canonical)) {
      return "failed to allocate IP " + ip + ": provided IP is already allocated";
    }
    reserved.add(canonical);
    return null;
  }

  synchronized void release(String ip) {
    reserved.remove(ip);
  }

  private Set<String> used() {
    Set<String> used = new HashSet<>(reserved);
    for (JsonNode svc : store.list(ResourceRegistry.SERVICES, null)) {
      for (JsonNode ip : svc.path("spec").path("clusterIPs")) {
        used.add(ip.asText());
      }
    }
    return used;
  }

  static String format(BigInteger v, int bits) {
    byte[] raw = v.toByteArray();
    byte[] b = new byte[bits / 8];
    int n = Math.min(raw.length, b.length);
    System.arraycopy(raw, raw.length - n, b, b.length - n, n);
    try {
      String s = InetAddress.getByAddress(b).getHostAddress();
      return bits == 128 ? compress(s) : s;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Java prints IPv6 uncompressed (fd00:198:18:5e:0:0:0:1); Kubernetes prints RFC 5952
   * (fd00:198:18:5e::1).
   */
  static String compress(String full) {
    String[] parts = full.split(":");
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < parts.length; ) {
      if (parts[i].equals("0")) {
        int j = i;
        while (j < parts.length && parts[j].equals("0")) {
          j++;
        }
        if (j - i > bestLen && j - i > 1) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(parts, 0, bestStart));
    String tail =
        String.join(":", java.util.Arrays.copyOfRange(parts, bestStart + bestLen, parts.length));
    return head + "::" + tail;
  }
}
