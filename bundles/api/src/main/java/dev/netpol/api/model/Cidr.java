package dev.netpol.api.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix in canonical form: host bits are zero. A bare address parses as a host
 * prefix (/32 or /128).
 */
public record Cidr(InetAddress address, int prefixLength) implements Comparable<Cidr> {

  public Cidr {
    if (address == null) {
      throw new ModelException("cidr", "address is missing");
    }
    int bits = IpFamily.of(address).bits();
    if (prefixLength < 0 || prefixLength > bits) {
      throw new ModelException("cidr", "prefix length " + prefixLength + " is outside 0.." + bits);
    }
    address = mask(address, prefixLength);
  }

  public static Cidr parse(String text) {
    return parse(text, "cidr");
  }

  /** Parses {@code a.b.c.d/n}, {@code x::y/n} or a bare address; errors name {@code field}. */
  public static Cidr parse(String text, String field) {
    if (text == null || text.isBlank()) {
      throw new ModelException(field, "CIDR is empty");
    }
    String s = text.trim();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    InetAddress address = parseAddress(addr, field, text);
    int bits = IpFamily.of(address).bits();
    int prefix = bits;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        throw new ModelException(field, "'" + text + "' has an invalid prefix length");
      }
      prefix = Integer.parseInt(p);
      if (prefix > bits) {
        throw new ModelException(
            field, "'" + text + "' has prefix length " + prefix + " > " + bits);
      }
    }
    return new Cidr(address, prefix);
  }

  /** Parses a literal IP address without ever resolving a host name. */
  public static InetAddress parseAddress(String addr, String field, String whole) {
    boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = addr.contains(":") && addr.matches("[0-9a-fA-F:.]+");
    if (v4) {
      for (String octet : addr.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          throw new ModelException(field, "'" + whole + "' is not a valid IP address or CIDR");
        }
      }
    }
    if (!v4 && !v6) {
      throw new ModelException(field, "'" + whole + "' is not a valid IP address or CIDR");
    }
    try {
      return InetAddress.getByName(addr);
    } catch (UnknownHostException e) {
      throw new ModelException(field, "'" + whole + "' is not a valid IP address or CIDR");
    }
  }

  public static Cidr host(InetAddress address) {
    return new Cidr(address, IpFamily.of(address).bits());
  }

  public static Cidr all(IpFamily family) {
    return parse(family == IpFamily.V4 ? "0.0.0.0/0" : "::/0");
  }

  public IpFamily family() {
    return IpFamily.of(address);
  }

  public byte[] bytes() {
    return address.getAddress();
  }

  public boolean isHost() {
    return prefixLength == family().bits();
  }

  public boolean contains(InetAddress ip) {
    return IpFamily.of(ip) == family()
        && Arrays.equals(mask(ip, prefixLength).getAddress(), bytes());
  }

  /** True if every address of {@code other} is inside this prefix. */
  public boolean contains(Cidr other) {
    return other.family() == family()
        && other.prefixLength >= prefixLength
        && contains(other.address);
  }

  private static InetAddress mask(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int compareTo(Cidr o) {
    int c = Integer.compare(family().ordinal(), o.family().ordinal());
    if (c != 0) {
      return c;
    }
    c = Arrays.compareUnsigned(bytes(), o.bytes());
    return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
  }

  @Override
  public String toString() {
    return address.getHostAddress().replaceAll("%.*$", "") + "/" + prefixLength;
  }
}
