package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** struct np_holder (global/np_holder): the process holding the pin root's lock. */
public record Holder(int pid, long startedUnixMs, String node, String command) {
  public static final int SIZE = 336;
  public static final Layout LAYOUT =
      new Layout(
          "np_holder",
          SIZE,
          List.of(
              field("pid", 0, 4),
              field("zero", 4, 4),
              field("started_unix_ms", 8, 8),
              field("node", 16, 64),
              field("command", 80, 256)));
  public static final dev.netpol.ebpf.sdk.Codec<Holder> CODEC =
      new AbiCodec<>(LAYOUT, Holder::encode, Holder::decode);

  public byte[] encode() {
    var b = Abi.buffer(SIZE).putInt(0, pid).putLong(8, startedUnixMs);
    b.put(16, truncate(node, 63));
    b.put(80, truncate(command, 255));
    return b.array();
  }

  public static Holder decode(byte[] raw) {
    var b = Abi.wrap(raw);
    return new Holder(
        b.getInt(0), b.getLong(8), PodInfo.str(raw, 16, 64), PodInfo.str(raw, 80, 256));
  }

  private static byte[] truncate(String s, int max) {
    byte[] v = s.getBytes(StandardCharsets.UTF_8);
    return v.length <= max ? v : Arrays.copyOf(v, max);
  }

  @Override
  public String toString() {
    return "pid " + pid + " on " + node + " (" + command + ")";
  }
}
