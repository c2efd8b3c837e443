package dev.netpol.policyendpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A pod the policy selects: where it runs and all of its IPs (dual-stack pods have two). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodSelectorEndpoint {
  private String namespace;
  private String name;
  private String nodeName;
  private List<String> podIPs = new ArrayList<>();

  public PodSelectorEndpoint() {}

  public PodSelectorEndpoint(String namespace, String name, String nodeName, List<String> podIPs) {
    this.namespace = namespace;
    this.name = name;
    this.nodeName = nodeName;
    this.podIPs = new ArrayList<>(podIPs);
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public List<String> getPodIPs() {
    return podIPs;
  }

  public void setPodIPs(List<String> podIPs) {
    this.podIPs = podIPs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PodSelectorEndpoint p
        && Objects.equals(namespace, p.namespace)
        && Objects.equals(name, p.name)
        && Objects.equals(nodeName, p.nodeName)
        && Objects.equals(podIPs, p.podIPs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, name, nodeName, podIPs);
  }

  @Override
  public String toString() {
    return namespace + "/" + name + "@" + nodeName + podIPs;
  }
}
