package dev.netpol.netfilter;

import java.util.List;

/**
 * A {@code hash:net} set: its members in the order written, each a CIDR, optionally {@code nomatch}
 * (the kernel tries the most specific prefix first; a {@code nomatch} member carves its prefix out
 * of a shorter one).
 */
public record IpSet(String name, Family family, List<Member> members) {
  /** Above this a set refuses members; every set is created with it (the hash grows on demand). */
  public static final int MAX_ELEMENTS = 1 << 20;

  public IpSet {
    members = List.copyOf(members);
  }

  /**
   * The hash size a set is created with: about four members per bucket, at least the kernel's
   * minimum of 64. The kernel's default of 1024 buckets costs ~15 KiB of kernel memory per set
   * whatever it holds: 9,000 small sets took 161 MB instead of 26 MB. A set that grows past it is
   * resized by the kernel.
   */
  public int hashSize() {
    int wanted = Math.max(64, (members.size() + 3) / 4);
    return Math.min(1 << 18, Integer.highestOneBit(wanted - 1) << 1);
  }

  public record Member(String cidr, boolean nomatch) {
    @Override
    public String toString() {
      return nomatch ? cidr + " nomatch" : cidr;
    }
  }
}
