package dev.netpol.policyendpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Desired state of one object of a policy: either a <em>rules chunk</em> ({@code chunk} set:
 * isolation and a slice of the ingress and egress entries) or a <em>selection</em> ({@code node}
 * set, no {@code chunk}: the policy's selected pods on that node). {@code podIsolation} lists the
 * directions the policy isolates ("Ingress", "Egress"); a direction listed with no entries denies
 * everything in it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyEndpointSpec {
  public static final String INGRESS = "Ingress";
  public static final String EGRESS = "Egress";

  private PolicyRef policyRef;
  private Chunk chunk;
  private String node;
  private List<String> podIsolation = new ArrayList<>();
  private List<PodSelectorEndpoint> podSelectorEndpoints = new ArrayList<>();
  private List<EndpointEntry> ingress = new ArrayList<>();
  private List<EndpointEntry> egress = new ArrayList<>();

  public PolicyRef getPolicyRef() {
    return policyRef;
  }

  public void setPolicyRef(PolicyRef policyRef) {
    this.policyRef = policyRef;
  }

  public Chunk getChunk() {
    return chunk;
  }

  public void setChunk(Chunk chunk) {
    this.chunk = chunk;
  }

  /** The node of a selection object; null on rules chunks. */
  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public List<String> getPodIsolation() {
    return podIsolation;
  }

  public void setPodIsolation(List<String> podIsolation) {
    this.podIsolation = podIsolation;
  }

  public List<PodSelectorEndpoint> getPodSelectorEndpoints() {
    return podSelectorEndpoints;
  }

  public void setPodSelectorEndpoints(List<PodSelectorEndpoint> v) {
    this.podSelectorEndpoints = v;
  }

  public List<EndpointEntry> getIngress() {
    return ingress;
  }

  public void setIngress(List<EndpointEntry> ingress) {
    this.ingress = ingress;
  }

  public List<EndpointEntry> getEgress() {
    return egress;
  }

  public void setEgress(List<EndpointEntry> egress) {
    this.egress = egress;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyEndpointSpec s
        && Objects.equals(policyRef, s.policyRef)
        && Objects.equals(chunk, s.chunk)
        && Objects.equals(node, s.node)
        && Objects.equals(podIsolation, s.podIsolation)
        && Objects.equals(podSelectorEndpoints, s.podSelectorEndpoints)
        && Objects.equals(ingress, s.ingress)
        && Objects.equals(egress, s.egress);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        policyRef, chunk, node, podIsolation, podSelectorEndpoints, ingress, egress);
  }
}
