package dev.netpol.console.internal;

import java.net.InetSocketAddress;

/** {@code host:port} or {@code [v6]:port} as a socket address; errors name the setting. */
final class HostPort {
  private HostPort() {}

  static InetSocketAddress parse(String key, String value) {
    String v = value.trim();
    int colon = v.lastIndexOf(':');
    if (colon <= 0 || colon == v.length() - 1) {
      throw new IllegalArgumentException(key + ": '" + value + "' is not host:port");
    }
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + value + "' has no numeric port");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(key + ": port " + port + " is outside 0..65535");
    }
    return new InetSocketAddress(host, port);
  }
}
