package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.nio.ByteBuffer;
import java.util.List;

/** struct np_rule_value. */
public record RuleValue(int classId, int flags, int state, int generation) {
  public static final Layout LAYOUT =
      new Layout(
          "np_rule_value",
          16,
          List.of(
              field("class_id", 0, 4),
              field("flags", 4, 4),
              field("state", 8, 4),
              field("generation", 12, 4)));
  public static final dev.netpol.ebpf.sdk.Codec<RuleValue> CODEC =
      new AbiCodec<>(LAYOUT, RuleValue::encode, RuleValue::decode);

  public byte[] encode() {
    return Abi.buffer(16).putInt(classId).putInt(flags).putInt(state).putInt(generation).array();
  }

  public static RuleValue decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    return new RuleValue(b.getInt(), b.getInt(), b.getInt(), b.getInt());
  }
}
