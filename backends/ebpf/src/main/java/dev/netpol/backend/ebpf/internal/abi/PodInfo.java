package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** struct np_pod_info: who a pinned program set serves and what it enforces. */
public record PodInfo(
    String namespace,
    String name,
    String ifname,
    String policyDigest,
    String objectDigest,
    int ifindex,
    int generation,
    List<InetAddress> addresses) {
  public static final int SIZE = 432;
  public static final Layout LAYOUT =
      new Layout(
          "np_pod_info",
          SIZE,
          List.of(
              field("pod_namespace", 0, 64),
              field("pod_name", 64, 256),
              field("ifname", 320, 16),
              field("policy_digest", 336, 32),
              field("object_digest", 368, 32),
              field("ifindex", 400, 4),
              field("generation", 404, 4),
              field("ipv4", 408, 4),
              field("ipv6", 412, 16),
              field("has_ipv4", 428, 1),
              field("has_ipv6", 429, 1),
              field("zero", 430, 2)));
  public static final dev.netpol.ebpf.sdk.Codec<PodInfo> CODEC =
      new AbiCodec<>(LAYOUT, PodInfo::encode, PodInfo::decode);

  public byte[] encode() {
    ByteBuffer b = Abi.buffer(SIZE);
    str(b, 0, namespace, 64);
    str(b, 64, name, 256);
    str(b, 320, ifname, 16);
    str(b, 336, policyDigest, 32);
    str(b, 368, objectDigest, 32);
    b.putInt(400, ifindex).putInt(404, generation);
    for (InetAddress a : addresses) {
      if (a instanceof Inet4Address) {
        b.put(408, a.getAddress()).put(428, (byte) 1);
      } else {
        b.put(412, a.getAddress()).put(429, (byte) 1);
      }
    }
    return b.array();
  }

  public static PodInfo decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    List<InetAddress> addrs = new ArrayList<>();
    if (raw[428] != 0) {
      addrs.add(Addresses.of(4, Arrays.copyOfRange(raw, 408, 424)));
    }
    if (raw[429] != 0) {
      addrs.add(Addresses.of(6, Arrays.copyOfRange(raw, 412, 428)));
    }
    return new PodInfo(
        str(raw, 0, 64),
        str(raw, 64, 256),
        str(raw, 320, 16),
        str(raw, 336, 32),
        str(raw, 368, 32),
        b.getInt(400),
        b.getInt(404),
        addrs);
  }

  private static void str(ByteBuffer b, int off, String s, int max) {
    byte[] v = s.getBytes(StandardCharsets.UTF_8);
    if (v.length >= max) {
      throw new IllegalArgumentException("'" + s + "' is longer than " + (max - 1) + " bytes");
    }
    b.put(off, v);
  }

  private static String str(byte[] raw, int off, int max) {
    int n = 0;
    while (n < max && raw[off + n] != 0) {
      n++;
    }
    return new String(raw, off, n, StandardCharsets.UTF_8);
  }
}
