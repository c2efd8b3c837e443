package dev.netpol.policyendpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Observed state: a {@code Resolved} condition (True, or False with the field that is wrong). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyEndpointStatus {
  private List<Condition> conditions = new ArrayList<>();

  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyEndpointStatus s && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() { return Objects.hashCode(conditions); }
}
