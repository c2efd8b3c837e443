package dev.netpol.netfilter;

/** An address family with its iptables tool and its ipset family name. */
public enum Family {
  V4("iptables", "inet"),
  V6("ip6tables", "inet6");

  private final String tool;
  private final String setFamily;

  Family(String tool, String setFamily) {
    this.tool = tool;
    this.setFamily = setFamily;
  }

  /** {@code iptables} or {@code ip6tables}. */
  public String tool() {
    return tool;
  }

  /** {@code inet} or {@code inet6}. */
  public String setFamily() {
    return setFamily;
  }

  /** The family of an address or CIDR in text form ({@code V6} if it has a colon). */
  public static Family of(String address) {
    return address.indexOf(':') >= 0 ? V6 : V4;
  }
}
