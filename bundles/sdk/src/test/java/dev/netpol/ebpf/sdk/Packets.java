package dev.netpol.ebpf.sdk;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Hand-built frames for BPF_PROG_RUN. */
final class Packets {
  private Packets() {}

  /** Ethernet + IPv4 + UDP (ports 40000 -> 53) + 4 payload bytes. */
  static byte[] ipv4Udp(String src, String dst) {
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + 4);
    b.put(new byte[] {2, 0, 0, 0, 0, 2})
        .put(new byte[] {2, 0, 0, 0, 0, 1})
        .putShort((short) 0x0800);
    b.put((byte) 0x45)
        .put((byte) 0)
        .putShort((short) 32)
        .putShort((short) 1)
        .putShort((short) 0)
        .put((byte) 64)
        .put((byte) 17)
        .putShort((short) 0)
        .put(addr(src))
        .put(addr(dst));
    b.putShort((short) 40000).putShort((short) 53).putShort((short) 12).putShort((short) 0);
    b.put(new byte[] {1, 2, 3, 4});
    return b.array();
  }

  static byte[] addr(String ip) {
    try {
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
  }
}
