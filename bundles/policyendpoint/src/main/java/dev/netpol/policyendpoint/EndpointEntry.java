package dev.netpol.policyendpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One allowed peer block: {@code cidr} minus {@code except}, on {@code ports}.
 *
 * <ul>
 *   <li>{@code ports == null} (absent): every port of every protocol.
 *   <li>{@code targets == null} (absent): the entry applies to every pod in {@code
 *       podSelectorEndpoints} of the policy (all chunks). Otherwise it applies only to the selected
 *       pods named here (pods of the policy's namespace). Ingress entries get targets when a named
 *       port resolves to different numbers on different selected pods.
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EndpointEntry {
  private String cidr;
  private List<String> except;
  private List<EndpointPort> ports;
  private List<String> targets;

  public EndpointEntry() {}

  public EndpointEntry(
      String cidr, List<String> except, List<EndpointPort> ports, List<String> targets) {
    this.cidr = cidr;
    this.except = except == null || except.isEmpty() ? null : new ArrayList<>(except);
    this.ports = ports == null ? null : new ArrayList<>(ports);
    this.targets = targets == null ? null : new ArrayList<>(targets);
  }

  public String getCidr() {
    return cidr;
  }

  public void setCidr(String cidr) {
    this.cidr = cidr;
  }

  public List<String> getExcept() {
    return except;
  }

  public void setExcept(List<String> except) {
    this.except = except;
  }

  public List<EndpointPort> getPorts() {
    return ports;
  }

  public void setPorts(List<EndpointPort> ports) {
    this.ports = ports;
  }

  public List<String> getTargets() {
    return targets;
  }

  public void setTargets(List<String> targets) {
    this.targets = targets;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EndpointEntry e
        && Objects.equals(cidr, e.cidr)
        && Objects.equals(except, e.except)
        && Objects.equals(ports, e.ports)
        && Objects.equals(targets, e.targets);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cidr, except, ports, targets);
  }

  @Override
  public String toString() {
    return cidr
        + (except == null ? "" : " except " + except)
        + " ports "
        + (ports == null ? "all" : ports)
        + (targets == null ? "" : " targets " + targets);
  }
}
