package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * struct np_pod_info (np_pods, keyed by host ifindex): who an interface serves, what it enforces.
 * The programs read {@code generation} (established flows) and {@code slot} (1 + the pod's index in
 * np_est_counters, 0 = none).
 */
public record PodInfo(
    String namespace,
    String name,
    String ifname,
    String policyDigest,
    int ifindex,
    int generation,
    List<InetAddress> addresses,
    int slot) {
  public static final int SIZE = 400;
  public static final Layout LAYOUT =
      new Layout(
          "np_pod_info",
          SIZE,
          List.of(
              field("pod_namespace", 0, 64),
              field("pod_name", 64, 256),
              field("ifname", 320, 16),
              field("policy_digest", 336, 32),
              field("ifindex", 368, 4),
              field("generation", 372, 4),
              field("ipv4", 376, 4),
              field("ipv6", 380, 16),
              field("has_ipv4", 396, 1),
              field("has_ipv6", 397, 1),
              field("slot", 398, 2)));
  public static final dev.netpol.ebpf.sdk.Codec<PodInfo> CODEC =
      new AbiCodec<>(LAYOUT, PodInfo::encode, PodInfo::decode);

  public byte[] encode() {
    ByteBuffer b = Abi.buffer(SIZE);
    str(b, 0, namespace, 64);
    str(b, 64, name, 256);
    str(b, 320, ifname, 16);
    str(b, 336, policyDigest, 32);
    b.putInt(368, ifindex).putInt(372, generation).putShort(398, (short) slot);
    for (InetAddress a : addresses) {
      if (a instanceof Inet4Address) {
        b.put(376, a.getAddress()).put(396, (byte) 1);
      } else {
        b.put(380, a.getAddress()).put(397, (byte) 1);
      }
    }
    return b.array();
  }

  public static PodInfo decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    List<InetAddress> addrs = new ArrayList<>();
    if (raw[396] != 0) {
      addrs.add(Addresses.of(4, Arrays.copyOfRange(raw, 376, 392)));
    }
    if (raw[397] != 0) {
      addrs.add(Addresses.of(6, Arrays.copyOfRange(raw, 380, 396)));
    }
    return new PodInfo(
        str(raw, 0, 64),
        str(raw, 64, 256),
        str(raw, 320, 16),
        str(raw, 336, 32),
        b.getInt(368),
        b.getInt(372),
        addrs,
        b.getShort(398) & 0xffff);
  }

  static void str(ByteBuffer b, int off, String s, int max) {
    byte[] v = s.getBytes(StandardCharsets.UTF_8);
    if (v.length >= max) {
      throw new IllegalArgumentException("'" + s + "' is longer than " + (max - 1) + " bytes");
    }
    b.put(off, v);
  }

  static String str(byte[] raw, int off, int max) {
    int n = 0;
    while (n < max && raw[off + n] != 0) {
      n++;
    }
    return new String(raw, off, n, StandardCharsets.UTF_8);
  }
}
