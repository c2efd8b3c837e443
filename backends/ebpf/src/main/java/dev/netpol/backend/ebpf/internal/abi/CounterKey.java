package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.nio.ByteBuffer;
import java.util.List;

/** struct np_counter_key: a per-CPU packet counter's pod, direction, verdict, reason and class. */
public record CounterKey(int ifindex, int classId, int direction, int verdict, int reason) {
  public static final int SIZE = 12;
  public static final Layout LAYOUT =
      new Layout(
          "np_counter_key",
          SIZE,
          List.of(
              field("ifindex", 0, 4),
              field("class_id", 4, 4),
              field("direction", 8, 1),
              field("verdict", 9, 1),
              field("reason", 10, 1),
              field("zero", 11, 1)));
  public static final dev.netpol.ebpf.sdk.Codec<CounterKey> CODEC =
      new AbiCodec<>(LAYOUT, CounterKey::encode, CounterKey::decode);

  public byte[] encode() {
    return Abi.buffer(SIZE)
        .putInt(ifindex)
        .putInt(classId)
        .put((byte) direction)
        .put((byte) verdict)
        .put((byte) reason)
        .array();
  }

  public static CounterKey decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    return new CounterKey(b.getInt(), b.getInt(), b.get() & 0xff, b.get() & 0xff, b.get() & 0xff);
  }
}
