package dev.netpol.ebpf.sdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Converts a Java value to and from the bytes of one C struct (little-endian, padding included) and
 * declares that layout, so tests can compare it with the struct in the object's BTF ({@link
 * BtfLayout.Struct#mismatches(Codec)}).
 */
public interface Codec<T> {
  /** sizeof the C type. */
  int size();

  /** Writes exactly {@link #size()} bytes at the buffer's position (buffer is little-endian). */
  void write(T value, ByteBuffer out);

  /** Reads exactly {@link #size()} bytes from the buffer's position. */
  T read(ByteBuffer in);

  /** The C members this codec writes, in offset order. */
  List<Field> fields();

  default byte[] encode(T value) {
    ByteBuffer b = ByteBuffer.allocate(size()).order(ByteOrder.LITTLE_ENDIAN);
    write(value, b);
    return b.array();
  }

  default T decode(byte[] bytes) {
    if (bytes.length < size()) {
      throw new IllegalArgumentException(
          "codec for " + fields() + " needs " + size() + " bytes, got " + bytes.length);
    }
    return read(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
  }

  /** One C member: name, byte offset in the struct, byte size. */
  record Field(String name, int offset, int size) {}
}
