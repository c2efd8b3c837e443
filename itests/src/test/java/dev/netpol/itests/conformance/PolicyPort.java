package dev.netpol.itests.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A ports entry: protocol (null: left out, the API defaults it to TCP) and a number, a name or
 * nothing.
 */
public record PolicyPort(Protocol protocol, Object port) {
  public static PolicyPort number(int port) {
    return new PolicyPort(null, port);
  }

  public static PolicyPort number(int port, Protocol protocol) {
    return new PolicyPort(protocol, port);
  }

  public static PolicyPort named(String name) {
    return new PolicyPort(null, name);
  }

  public static PolicyPort named(String name, Protocol protocol) {
    return new PolicyPort(protocol, name);
  }

  /** Every port of one protocol. */
  public static PolicyPort protocol(Protocol protocol) {
    return new PolicyPort(protocol, null);
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (protocol != null) {
      m.put("protocol", protocol.name());
    }
    if (port != null) {
      m.put("port", port);
    }
    return m;
  }
}
