package dev.netpol.policyendpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A numeric port or port range of one protocol. {@code port == null} means every port of the
 * protocol; {@code endPort} (inclusive) makes a range. Named ports never appear here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EndpointPort {
  private String protocol;
  private Integer port;
  private Integer endPort;

  public EndpointPort() {}

  public EndpointPort(String protocol, Integer port, Integer endPort) {
    this.protocol = protocol;
    this.port = port;
    this.endPort = endPort;
  }

  public String getProtocol() {
    return protocol;
  }

  public void setProtocol(String protocol) {
    this.protocol = protocol;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Integer getEndPort() {
    return endPort;
  }

  public void setEndPort(Integer endPort) {
    this.endPort = endPort;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EndpointPort p
        && Objects.equals(protocol, p.protocol)
        && Objects.equals(port, p.port)
        && Objects.equals(endPort, p.endPort);
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocol, port, endPort);
  }

  @Override
  public String toString() {
    return protocol + (port == null ? "" : "/" + port + (endPort == null ? "" : "-" + endPort));
  }
}
