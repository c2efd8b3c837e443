package dev.netpol.api;

import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import java.util.Objects;

/**
 * One pod's complete desired state, what {@link EnforcementBackend#apply} takes, as one value for
 * {@link EnforcementBackend#applyAll}.
 */
public record PodDesiredState(PodEndpoint endpoint, PodPolicy policy) {
  public PodDesiredState {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(policy, "policy");
  }

  public PodKey key() {
    return endpoint.key();
  }
}
