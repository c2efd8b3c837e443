package dev.netpol.apiserver.internal;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** CIDR parsing without DNS: IPv4 dotted quads and IPv6 literals only. */
final class Cidrs {
  private static final Pattern V4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /** Network address (host bits cleared), prefix length and address width in bits. */
  record Net(BigInteger network, int prefix, int bits) {
    boolean contains(Net other) {
      return bits == other.bits && mask(other.network, prefix, bits).equals(network);
    }
  }

  private Cidrs() {}

  /** The parsed CIDR or null when it is not one. */
  static Net parse(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) {
      return null;
    }
    byte[] addr = address(s.substring(0, slash));
    if (addr == null) {
      return null;
    }
    int bits = addr.length * 8;
    int prefix;
    try {
      prefix = Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      return null;
    }
    if (prefix < 0 || prefix > bits || !s.substring(slash + 1).matches("\\d{1,3}")) {
      return null;
    }
    return new Net(mask(new BigInteger(1, addr), prefix, bits), prefix, bits);
  }

  static byte[] address(String ip) {
    var m = V4.matcher(ip);
    if (m.matches()) {
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(m.group(i + 1));
        if (v > 255) {
          return null;
        }
        b[i] = (byte) v;
      }
      return b;
    }
    if (V6.matcher(ip).matches()) {
      try {
        byte[] b = InetAddress.getByName(ip).getAddress();
        return b.length == 16 ? b : null;
      } catch (UnknownHostException e) {
        return null;
      }
    }
    return null;
  }

  private static BigInteger mask(BigInteger v, int prefix, int bits) {
    BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
    return v.andNot(hostMask);
  }
}
