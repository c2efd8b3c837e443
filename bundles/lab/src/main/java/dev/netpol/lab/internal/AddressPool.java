package dev.netpol.lab.internal;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * A pod address range. Address {@code i} of a pool is its base plus {@code i}; the lab uses the
 * same index in the IPv4 and the IPv6 pool so a pod's two addresses are easy to pair up.
 */
public final class AddressPool {
  static final AddressPool LAB4 = parse("198.18.0.0/15");
  static final AddressPool LAB6 = parse("fd00:198:18::/48");
  private final BigInteger base;
  private final int prefix;
  private final int bits;

  private AddressPool(BigInteger base, int prefix, int bits) {
    this.base = base;
    this.prefix = prefix;
    this.bits = bits;
  }

  /** Parses {@code a.b.c.d/n} or {@code x::/n}; host bits must be zero. */
  public static AddressPool parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("address range '" + cidr + "' has no /prefix");
    }
    try {
      byte[] raw = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
      int bits = raw.length * 8;
      int prefix = Integer.parseInt(cidr.substring(slash + 1));
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException(
            "address range '" + cidr + "': prefix outside 0.." + bits);
      }
      BigInteger base = new BigInteger(1, raw);
      if (!base.shiftRight(bits - prefix).shiftLeft(bits - prefix).equals(base)) {
        throw new IllegalArgumentException("address range '" + cidr + "' has host bits set");
      }
      return new AddressPool(base, prefix, bits);
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("address range '" + cidr + "' is not a CIDR");
    }
  }

  public boolean ipv6() {
    return bits == 128;
  }

  /** Whether every address of this pool is inside {@code outer}. */
  public boolean within(AddressPool outer) {
    return bits == outer.bits
        && prefix >= outer.prefix
        && base.shiftRight(bits - outer.prefix).equals(outer.base.shiftRight(bits - outer.prefix));
  }

  /** How many indexes the pool has (capped, the lab never needs more). */
  public long size() {
    return BigInteger.ONE.shiftLeft(bits - prefix).min(BigInteger.valueOf(1L << 30)).longValue();
  }

  /** The address at {@code index}, as text. */
  public String address(long index) {
    if (index < 0 || index >= size()) {
      throw new IllegalArgumentException(
          "address index " + index + " is outside the range " + this);
    }
    return text(base.add(BigInteger.valueOf(index)), bits);
  }

  /**
   * The lowest index from 2 up (0 is the network, 1 kept for a gateway) whose address is not in
   * use.
   */
  public long firstFree(Set<String> used) {
    for (long i = 2; i < size() - 1; i++) {
      if (!used.contains(address(i))) {
        return i;
      }
    }
    throw new IllegalStateException("address range " + this + " is full");
  }

  private static String text(BigInteger v, int bits) {
    byte[] out = new byte[bits / 8];
    byte[] raw = v.toByteArray();
    int n = Math.min(raw.length, out.length);
    System.arraycopy(raw, raw.length - n, out, out.length - n, n);
    try {
      String s = InetAddress.getByAddress(out).getHostAddress();
      return bits == 128 ? compress(s) : s;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Java prints IPv6 uncompressed; the API and iproute2 print the RFC 5952 form. */
  static String compress(String full) {
    String[] g = full.split(":");
    int bestAt = -1;
    int bestLen = 1;
    for (int i = 0; i < g.length; ) {
      int j = i;
      while (j < g.length && g[j].equals("0")) {
        j++;
      }
      if (j - i > bestLen) {
        bestAt = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    if (bestAt < 0) {
      return full;
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestAt));
    String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestAt + bestLen, g.length));
    return head + "::" + tail;
  }

  @Override
  public String toString() {
    return text(base, bits) + "/" + prefix;
  }
}
