package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.nio.ByteBuffer;
import java.util.List;

/** struct np_counter: packets and bytes; a per-CPU map holds one per CPU, summed here. */
public record Counter(long packets, long bytes) {
  public static final int SIZE = 16;
  public static final Layout LAYOUT =
      new Layout("np_counter", SIZE, List.of(field("packets", 0, 8), field("bytes", 8, 8)));
  public static final dev.netpol.ebpf.sdk.Codec<Counter> CODEC =
      new AbiCodec<>(LAYOUT, Counter::encode, Counter::decode);

  public byte[] encode() {
    return Abi.buffer(SIZE).putLong(packets).putLong(bytes).array();
  }

  public static Counter decode(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    return new Counter(b.getLong(), b.getLong());
  }

  /** Sums a per-CPU value buffer (one 8-byte aligned slot per possible CPU). */
  public static Counter sumPerCpu(byte[] raw) {
    ByteBuffer b = Abi.wrap(raw);
    long p = 0;
    long n = 0;
    for (int off = 0; off + SIZE <= raw.length; off += SIZE) {
      p += b.getLong(off);
      n += b.getLong(off + 8);
    }
    return new Counter(p, n);
  }
}
