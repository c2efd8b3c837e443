package dev.netpol.lab;

import java.util.Locale;

/** A port a lab pod serves, e.g. {@code 80/tcp}; protocol is tcp, udp or sctp. */
public record ServePort(int port, String protocol) {
  public ServePort {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("serve port " + port + " is outside 1..65535");
    }
    protocol = protocol.toLowerCase(Locale.ROOT);
    if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
      throw new IllegalArgumentException(
          "serve protocol '" + protocol + "' is not tcp, udp or sctp");
    }
  }

  /** Parses {@code 80/tcp}; a bare {@code 80} means TCP. */
  public static ServePort parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    try {
      return slash < 0
          ? new ServePort(Integer.parseInt(t), "tcp")
          : new ServePort(Integer.parseInt(t.substring(0, slash)), t.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "serve port '" + text + "' is not PORT/PROTOCOL like 80/tcp");
    }
  }

  /** The container port name the e2e suite uses, e.g. {@code serve-80-tcp}. */
  public String portName() {
    return "serve-" + port + "-" + protocol;
  }

  @Override
  public String toString() {
    return port + "/" + protocol;
  }
}
