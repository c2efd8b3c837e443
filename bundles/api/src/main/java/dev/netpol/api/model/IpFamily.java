package dev.netpol.api.model;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IPv4 or IPv6, with the address width in bits. */
public enum IpFamily {
  V4(32),
  V6(128);

  private final int bits;

  IpFamily(int bits) {
    this.bits = bits;
  }

  public int bits() {
    return bits;
  }

  public static IpFamily of(InetAddress address) {
    return address instanceof Inet4Address ? V4 : V6;
  }
}
