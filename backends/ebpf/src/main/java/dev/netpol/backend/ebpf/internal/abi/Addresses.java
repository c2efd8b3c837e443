package dev.netpol.backend.ebpf.internal.abi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Address bytes as the ABI stores them: 16 bytes, IPv4 in the first 4. */
public final class Addresses {
  private Addresses() {}

  public static InetAddress of(int family, byte[] addr16) {
    try {
      return InetAddress.getByAddress(family == 4 ? Arrays.copyOf(addr16, 4) : addr16);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static String format(int family, byte[] addr16) {
    return of(family, addr16).getHostAddress();
  }

  public static byte[] pad16(byte[] address) {
    return Arrays.copyOf(address, 16);
  }
}
