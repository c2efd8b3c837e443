package dev.netpol.backend.ebpf.internal.abi;

import dev.netpol.ebpf.sdk.Codec;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;

/** Adapts an ABI record's layout and byte[] encode/decode to the SDK's {@link Codec}. */
public record AbiCodec<T>(Layout layout, Function<T, byte[]> encoder, Function<byte[], T> decoder)
    implements Codec<T> {
  @Override
  public int size() {
    return layout.size();
  }

  @Override
  public void write(T value, ByteBuffer out) {
    out.put(encoder.apply(value));
  }

  @Override
  public T read(ByteBuffer in) {
    byte[] b = new byte[layout.size()];
    in.get(b);
    return decoder.apply(b);
  }

  @Override
  public List<Field> fields() {
    return layout.fields().stream().map(f -> new Field(f.name(), f.offset(), f.size())).toList();
  }
}
