package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct np_ct_key: a flow in its original orientation on one host interface. Ports in host order
 * here.
 */
public record CtKey(
    int ifindex, int family, int proto, int sport, int dport, byte[] saddr, byte[] daddr) {
  public static final Layout LAYOUT =
      new Layout(
          "np_ct_key",
          44,
          List.of(
              field("ifindex", 0, 4),
              field("family", 4, 1),
              field("proto", 5, 1),
              field("sport", 6, 2),
              field("dport", 8, 2),
              field("zero", 10, 2),
              field("saddr", 12, 16),
              field("daddr", 28, 16)));
  public static final dev.netpol.ebpf.sdk.Codec<CtKey> CODEC =
      new AbiCodec<>(LAYOUT, CtKey::encode, CtKey::decode);

  public byte[] encode() {
    ByteBuffer b = Abi.buffer(44);
    b.putInt(ifindex).put((byte) family).put((byte) proto);
    b.put((byte) (sport >> 8)).put((byte) sport).put((byte) (dport >> 8)).put((byte) dport);
    b.putShort((short) 0).put(Addresses.pad16(saddr)).put(Addresses.pad16(daddr));
    return b.array();
  }

  public static CtKey decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    int ifindex = b.getInt();
    int family = b.get() & 0xff;
    int proto = b.get() & 0xff;
    int sport = ((b.get() & 0xff) << 8) | (b.get() & 0xff);
    int dport = ((b.get() & 0xff) << 8) | (b.get() & 0xff);
    b.getShort();
    byte[] s = new byte[16];
    byte[] d = new byte[16];
    b.get(s).get(d);
    return new CtKey(ifindex, family, proto, sport, dport, s, d);
  }

  @Override
  public String toString() {
    return "if="
        + ifindex
        + " proto="
        + proto
        + " "
        + Addresses.format(family, saddr)
        + ":"
        + sport
        + " -> "
        + Addresses.format(family, daddr)
        + ":"
        + dport;
  }
}
