package dev.netpol.backend.ebpf;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Synthetic Ethernet frames for BPF_PROG_RUN: IPv4 (with options, fragments) and IPv6 (with
 * extension headers).
 */
final class Frames {
  static final int TCP = 6;
  static final int UDP = 17;
  static final int SCTP = 132;
  static final int ICMP = 1;
  static final int ICMPV6 = 58;
  static final int TCP_SYN = 0x02;
  static final int TCP_ACK = 0x10;

  private Frames() {}

  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** An L4 header: ports for TCP/UDP/SCTP (TCP gets flags), type/code for ICMP. */
  static byte[] l4(int proto, int sport, int dport, int tcpFlags) {
    ByteBuffer b = ByteBuffer.allocate(proto == TCP ? 20 : 8);
    if (proto == ICMP || proto == ICMPV6) {
      b.put((byte) sport).put((byte) dport);
    } else {
      b.putShort((short) sport).putShort((short) dport);
    }
    if (proto == TCP) {
      b.position(12);
      b.put((byte) 0x50).put((byte) tcpFlags);
    }
    return b.array();
  }

  static byte[] v4(
      String src,
      String dst,
      int proto,
      byte[] payload,
      int optionWords,
      int fragOffset8,
      boolean more) {
    int ihl = 5 + optionWords;
    ByteBuffer b = ByteBuffer.allocate(14 + ihl * 4 + payload.length);
    b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
    b.put((byte) (0x40 | ihl)).put((byte) 0).putShort((short) (ihl * 4 + payload.length));
    b.putShort((short) 7).putShort((short) ((more ? 0x2000 : 0) | fragOffset8));
    b.put((byte) 64).put((byte) proto).putShort((short) 0);
    b.put(ip(src).getAddress()).put(ip(dst).getAddress());
    for (int i = 0; i < optionWords; i++) {
      b.putInt(0x01010101); // NOP options
    }
    b.put(payload);
    return b.array();
  }

  /** An ICMP/ICMPv6 echo (or other informational) header: type, code 0, id, sequence 1. */
  static byte[] echo(int type, int id) {
    return ByteBuffer.allocate(8)
        .put((byte) type)
        .put((byte) 0)
        .putShort((short) 0)
        .putShort((short) id)
        .putShort((short) 1)
        .array();
  }

  /**
   * An ICMP/ICMPv6 error of {@code type}/{@code code} quoting {@code quotedFrame}'s IP packet (its
   * IP header and 8 bytes after it, as routers send), e.g. fragmentation needed, packet too big.
   */
  static byte[] icmpError(int type, int code, int mtu, byte[] quotedFrame, int quotedIpHeader) {
    int quoted = Math.min(quotedFrame.length - 14, quotedIpHeader + 8);
    ByteBuffer b = ByteBuffer.allocate(8 + quoted);
    b.put((byte) type).put((byte) code).putShort((short) 0).putInt(mtu);
    b.put(quotedFrame, 14, quoted);
    return b.array();
  }

  /** The IPv4 frame with its identification field set to {@code id}. */
  static byte[] withId(byte[] v4Frame, int id) {
    ByteBuffer.wrap(v4Frame).putShort(18, (short) id);
    return v4Frame;
  }

  static byte[] v4(String src, String dst, int proto, int sport, int dport) {
    return v4(src, dst, proto, l4(proto, sport, dport, TCP_SYN), 0, 0, false);
  }

  /**
   * IPv6 with the given extension headers (protocol numbers 0, 43, 60, 44) before the L4 header.
   */
  static byte[] v6(String src, String dst, int proto, byte[] payload, int... ext) {
    ByteBuffer exts = ByteBuffer.allocate(ext.length * 8);
    for (int i = 0; i < ext.length; i++) {
      int next = i + 1 < ext.length ? ext[i + 1] : proto;
      exts.put((byte) next).put((byte) 0).putShort((short) 0).putInt(0);
    }
    int first = ext.length > 0 ? ext[0] : proto;
    ByteBuffer b = ByteBuffer.allocate(14 + 40 + exts.capacity() + payload.length);
    b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x86dd);
    b.putInt(0x60000000)
        .putShort((short) (exts.capacity() + payload.length))
        .put((byte) first)
        .put((byte) 64);
    b.put(ip(src).getAddress()).put(ip(dst).getAddress());
    b.put(exts.array()).put(payload);
    return b.array();
  }

  static byte[] v6(String src, String dst, int proto, int sport, int dport) {
    return v6(src, dst, proto, l4(proto, sport, dport, TCP_SYN));
  }

  /**
   * An IPv6 non-first fragment (offset in 8-byte units) of a {@code proto} packet, with no L4
   * header.
   */
  static byte[] v6LaterFragment(String src, String dst, int proto, int offset8) {
    ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8 + 16);
    b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x86dd);
    b.putInt(0x60000000).putShort((short) 24).put((byte) 44).put((byte) 64);
    b.put(ip(src).getAddress()).put(ip(dst).getAddress());
    b.put((byte) proto).put((byte) 0).putShort((short) (offset8 << 3)).putInt(99);
    return b.array();
  }
}
