package dev.netpol.backend.ebpf.internal.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inclusive port range into the fewest prefix-aligned blocks (at most 30 for any range),
 * so a range becomes a handful of LPM keys instead of a loop in the datapath.
 */
public final class PortBlocks {
  /** A block: ports {@code first .. first + 2^(16-bits) - 1}; {@code bits} = port prefix length. */
  public record Block(int first, int bits) {
    public int last() {
      return first + (1 << (16 - bits)) - 1;
    }
  }

  private PortBlocks() {}

  public static List<Block> of(int first, int last) {
    if (first < 0 || last > 65535 || first > last) {
      throw new IllegalArgumentException("bad port range " + first + ".." + last);
    }
    List<Block> out = new ArrayList<>();
    int a = first;
    while (a <= last) {
      int size = a == 0 ? 1 << 16 : Integer.lowestOneBit(a);
      while (a + size - 1 > last) {
        size >>= 1;
      }
      out.add(new Block(a, 16 - Integer.numberOfTrailingZeros(size)));
      a += size;
    }
    return out;
  }
}
