package dev.netpol.backend.ebpf.internal.rules;

import dev.netpol.api.model.Cidr;
import java.nio.ByteBuffer;

/**
 * A compact prefix (128-bit value, left-aligned, plus family and length) so the compiler can hash
 * and truncate tens of thousands of prefixes without building InetAddress objects.
 */
record Prefix(int family, long hi, long lo, int len) {

  static Prefix of(Cidr c) {
    byte[] b = java.util.Arrays.copyOf(c.bytes(), 16);
    ByteBuffer bb = ByteBuffer.wrap(b);
    return new Prefix(
        c.family().bits() == 32 ? 4 : 6, bb.getLong(), bb.getLong(), c.prefixLength());
  }

  Prefix truncate(int n) {
    long h = n >= 64 ? hi : (n == 0 ? 0 : hi & (-1L << (64 - n)));
    long l = n >= 128 ? lo : (n <= 64 ? 0 : lo & (-1L << (128 - n)));
    return new Prefix(family, h, l, n);
  }

  /** True if every address of {@code other} is inside this prefix. */
  boolean contains(Prefix other) {
    return other.family == family && other.len >= len && other.truncate(len).equals(this);
  }

  byte[] bytes() {
    byte[] b = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
    return family == 4 ? java.util.Arrays.copyOf(b, 4) : b;
  }
}
