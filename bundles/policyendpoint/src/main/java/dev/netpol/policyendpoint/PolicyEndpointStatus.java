package dev.netpol.policyendpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Observed state: a {@code Resolved} condition (True, or False with the field that is wrong), and
 * the sizes of this chunk's lists for {@code kubectl get} (a printer column cannot count a list).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyEndpointStatus {
  private List<Condition> conditions = new ArrayList<>();
  private Integer selectedPods;
  private Integer ingressEntries;
  private Integer egressEntries;

  public Integer getSelectedPods() {
    return selectedPods;
  }

  public void setSelectedPods(Integer v) {
    this.selectedPods = v;
  }

  public Integer getIngressEntries() {
    return ingressEntries;
  }

  public void setIngressEntries(Integer v) {
    this.ingressEntries = v;
  }

  public Integer getEgressEntries() {
    return egressEntries;
  }

  public void setEgressEntries(Integer v) {
    this.egressEntries = v;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyEndpointStatus s
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(selectedPods, s.selectedPods)
        && Objects.equals(ingressEntries, s.ingressEntries)
        && Objects.equals(egressEntries, s.egressEntries);
  }

  @Override
  public int hashCode() {
    return Objects.hash(conditions, selectedPods, ingressEntries, egressEntries);
  }
}
