package dev.netpol.serviceproxy.internal;

/** IP family: which iptables tool set a rule belongs to. */
enum Family {
  V4("iptables", "/32"),
  V6("ip6tables", "/128");

  final String tool;
  final String hostMask;

  Family(String tool, String hostMask) {
    this.tool = tool;
    this.hostMask = hostMask;
  }

  static Family of(String ip) {
    return ip.contains(":") ? V6 : V4;
  }

  /** {@code ip:port}, with brackets for IPv6 as DNAT --to-destination wants. */
  String hostPort(String ip, int port) {
    return this == V6 ? "[" + ip + "]:" + port : ip + ":" + port;
  }
}
