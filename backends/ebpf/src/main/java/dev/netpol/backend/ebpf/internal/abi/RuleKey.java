package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.nio.ByteBuffer;
import java.util.List;

/** struct np_rule_key: the key of a pod's LPM trie (both directions, told apart by direction). */
public record RuleKey(
    int prefixLen, int kind, int tag, int direction, int classId, byte[] addr, int port) {
  public static final Layout LAYOUT =
      new Layout(
          "np_rule_key",
          28,
          List.of(
              field("prefixlen", 0, 4),
              field("kind", 4, 1),
              field("tag", 5, 1),
              field("direction", 6, 1),
              field("zero", 7, 1),
              field("class_id", 8, 4),
              field("addr", 12, 16),
              field("port", 12, 2)));
  public static final dev.netpol.ebpf.sdk.Codec<RuleKey> CODEC =
      new AbiCodec<>(LAYOUT, RuleKey::encode, RuleKey::decode);

  public static RuleKey meta() {
    return new RuleKey(Abi.KEY_FIXED_BITS, Abi.KEY_META, 0, Abi.DIR_INGRESS, 0, new byte[16], 0);
  }

  /** A peer prefix: {@code address} is 4 or 16 bytes. */
  public static RuleKey addr(byte[] address, int prefixLen) {
    byte[] a = new byte[16];
    System.arraycopy(address, 0, a, 0, address.length);
    return new RuleKey(
        Abi.KEY_FIXED_BITS + prefixLen,
        Abi.KEY_ADDR,
        address.length == 4 ? 4 : 6,
        Abi.DIR_INGRESS,
        0,
        a,
        0);
  }

  /** A block of destination ports: {@code first} aligned to 2^(16 - portBits). */
  public static RuleKey port(int classId, int protocol, int first, int portBits) {
    return new RuleKey(
        Abi.KEY_FIXED_BITS + portBits,
        Abi.KEY_PORT,
        protocol,
        Abi.DIR_INGRESS,
        classId,
        new byte[16],
        first);
  }

  /** This key in the given direction's part of the trie ({@link Abi#DIR_INGRESS} or egress). */
  public RuleKey in(int dir) {
    return new RuleKey(prefixLen, kind, tag, dir, classId, addr, port);
  }

  public byte[] encode() {
    ByteBuffer b = Abi.buffer(28);
    b.putInt(prefixLen)
        .put((byte) kind)
        .put((byte) tag)
        .put((byte) direction)
        .put((byte) 0)
        .putInt(classId);
    if (kind == Abi.KEY_PORT) {
      b.put((byte) (port >> 8)).put((byte) port);
    } else {
      b.put(addr);
    }
    return b.array();
  }

  public static RuleKey decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    int prefix = b.getInt();
    int kind = b.get() & 0xff;
    int tag = b.get() & 0xff;
    int dir = b.get() & 0xff;
    b.get();
    int cls = b.getInt();
    byte[] a = new byte[16];
    b.get(a);
    int port = ((a[0] & 0xff) << 8) | (a[1] & 0xff);
    return new RuleKey(prefix, kind, tag, dir, cls, a, kind == Abi.KEY_PORT ? port : 0);
  }

  @Override
  public String toString() {
    String d = direction == Abi.DIR_INGRESS ? "ingress " : "egress ";
    return d
        + switch (kind) {
          case Abi.KEY_META -> "META";
          case Abi.KEY_ADDR ->
              "ADDR " + Addresses.format(tag, addr) + "/" + (prefixLen - Abi.KEY_FIXED_BITS);
          case Abi.KEY_PORT ->
              "PORT class="
                  + classId
                  + " proto="
                  + tag
                  + " port="
                  + port
                  + "/"
                  + (prefixLen - Abi.KEY_FIXED_BITS);
          default -> "kind-" + kind;
        };
  }
}
