package dev.netpol.api.model;

/**
 * A protocol with an inclusive range of destination ports. {@code 0..65535} means every port of the
 * protocol (a NetworkPolicy port with a protocol and no port).
 */
public record PortRange(Protocol protocol, int first, int last) implements Comparable<PortRange> {
  public static final int MAX_PORT = 65535;

  public PortRange {
    if (protocol == null) {
      throw new ModelException("protocol", "protocol is missing");
    }
    boolean any = first == 0 && last == MAX_PORT;
    if (!any && (first < 1 || first > MAX_PORT)) {
      throw new ModelException("port", "port " + first + " is outside 1..65535");
    }
    if (!any && (last < first || last > MAX_PORT)) {
      throw new ModelException(
          "endPort", "endPort " + last + " must be within " + first + "..65535");
    }
  }

  public static PortRange single(Protocol protocol, int port) {
    return new PortRange(protocol, port, port);
  }

  public static PortRange allPorts(Protocol protocol) {
    return new PortRange(protocol, 0, MAX_PORT);
  }

  public boolean isAllPorts() {
    return first == 0 && last == MAX_PORT;
  }

  public boolean matches(Protocol p, int port) {
    return p == protocol && port >= first && port <= last;
  }

  @Override
  public int compareTo(PortRange o) {
    int c = protocol.compareTo(o.protocol);
    if (c == 0) {
      c = Integer.compare(first, o.first);
    }
    return c != 0 ? c : Integer.compare(last, o.last);
  }

  @Override
  public String toString() {
    if (isAllPorts()) {
      return protocol.name();
    }
    return protocol + "/" + (first == last ? String.valueOf(first) : first + "-" + last);
  }
}
