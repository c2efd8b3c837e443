package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.nio.ByteBuffer;
import java.util.List;

/** struct np_ct_value. */
public record CtValue(
    long lastSeenNs, int generation, int direction, boolean closing, boolean revoked) {
  public static final Layout LAYOUT =
      new Layout(
          "np_ct_value",
          16,
          List.of(
              field("last_seen_ns", 0, 8),
              field("generation", 8, 4),
              field("direction", 12, 1),
              field("closing", 13, 1),
              field("revoked", 14, 1),
              field("zero", 15, 1)));
  public static final dev.netpol.ebpf.sdk.Codec<CtValue> CODEC =
      new AbiCodec<>(LAYOUT, CtValue::encode, CtValue::decode);

  public byte[] encode() {
    return Abi.buffer(16)
        .putLong(lastSeenNs)
        .putInt(generation)
        .put((byte) direction)
        .put((byte) (closing ? 1 : 0))
        .put((byte) (revoked ? 1 : 0))
        .put((byte) 0)
        .array();
  }

  public static CtValue decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    return new CtValue(b.getLong(), b.getInt(), b.get() & 0xff, b.get() != 0, b.get() != 0);
  }

  @Override
  public String toString() {
    return "dir="
        + (direction == Abi.DIR_INGRESS ? "ingress" : "egress")
        + " gen="
        + Integer.toUnsignedString(generation)
        + " last_seen="
        + lastSeenNs
        + (closing ? " closing" : "")
        + (revoked ? " revoked" : "");
  }
}
