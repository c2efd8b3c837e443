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

  public record Member(String cidr, boolean nomatch) {
    @Override
    public String toString() {
      return nomatch ? cidr + " nomatch" : cidr;
    }
  }
}
