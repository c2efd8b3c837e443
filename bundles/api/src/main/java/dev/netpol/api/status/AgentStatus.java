package dev.netpol.api.status;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.PodPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The node agent's view of its node, registered as an OSGi service by the agent. The console, the
 * metrics exporter and the CLI read it; none of them depends on the agent bundle.
 */
@org.osgi.annotation.versioning.ProviderType
public interface AgentStatus {
  String nodeName();

  /** Name of the backend being programmed, or empty while none is available. */
  String backend();

  /** Names of every enforcement backend registered in the container, the active one included. */
  default List<String> backendsAvailable() {
    return backend().isEmpty() ? List.of() : List.of(backend());
  }

  /** Whether the pod and PolicyEndpoint caches have synced since the agent started. */
  boolean synced();

  /** Local pods and the digest of the policy last programmed for each. */
  Map<PodKey, String> programmed();

  /** Every local pod the agent knows of, with what it programmed and what went wrong. */
  default List<PodStatus> pods() {
    return List.of();
  }

  /**
   * Programming latency histogram: upper bound in seconds (cumulative, Prometheus style) to count;
   * measured from the controller seeing a change to this node having programmed it.
   */
  SortedMap<Double, Long> latencyHistogram();

  /**
   * Sum of every programming latency observed, in seconds (the histogram's sum); NaN if unknown.
   */
  default double latencySumSeconds() {
    return Double.NaN;
  }

  /**
   * The complete desired state the backend last accepted for a local pod (what the kernel enforces
   * for it), or empty for a pod not programmed here. The console's reachability check reads it.
   */
  default Optional<PodPolicy> programmedPolicy(PodKey pod) {
    return Optional.empty();
  }

  /** Reconciles that failed (backend errors, missing interfaces) since the agent started. */
  default long reconcileErrors() {
    return 0;
  }

  /** PolicyEndpoint objects held in the agent's cache (its node's share). */
  default int policyEndpointsHeld() {
    return 0;
  }

  /** Completed backend switches since the agent started. */
  default long backendSwitches() {
    return 0;
  }

  /** The last backend switch attempted, successful or not. */
  default Optional<BackendSwitch> lastSwitch() {
    return Optional.empty();
  }
}
