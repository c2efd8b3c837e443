package dev.netpol.console.internal.pages;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Addresses as operators write them: IPv6 in the RFC 5952 short form. */
final class Addresses {
  private Addresses() {}

  static String cidr(dev.netpol.api.model.Cidr c) {
    return text(c.address()) + "/" + c.prefixLength();
  }

  /** A rule's peer: its block, and the blocks it leaves out. */
  static String peer(dev.netpol.api.model.Peer p) {
    return p.except().isEmpty()
        ? cidr(p.cidr())
        : cidr(p.cidr())
            + " except "
            + p.except().stream()
                .map(Addresses::cidr)
                .collect(java.util.stream.Collectors.joining(", "));
  }

  static String text(InetAddress a) {
    if (!(a instanceof Inet6Address)) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] h = new int[8];
    for (int i = 0; i < 8; i++) {
      h[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1; // a single zero hextet stays as 0
    for (int i = 0; i < 8; ) {
      if (h[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && h[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append(i == 0 ? "::" : ":");
        i += bestLen - 1;
        continue;
      }
      s.append(Integer.toHexString(h[i]));
      if (i < 7) {
        s.append(':');
      }
    }
    return s.toString();
  }
}
