package dev.netpol.netfilter;

/**
 * A rule as {@code iptables-save -c} prints it, with its counters and its comment (empty if none).
 */
public record SavedRule(String chain, String spec, long packets, long bytes, String comment) {
  /** The jump target ({@code -j X}), or empty. */
  public String target() {
    int i = spec.lastIndexOf("-j ");
    if (i < 0) {
      return "";
    }
    String t = spec.substring(i + 3).strip();
    int sp = t.indexOf(' ');
    return sp < 0 ? t : t.substring(0, sp);
  }
}
