package dev.netpol.api;

import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import java.util.Map;

/**
 * Makes the kernel enforce pods' desired states. Registered as an OSGi service with the property
 * {@code netpol.backend=<name>}; the agent programs whichever one is active and follows it when it
 * changes.
 *
 * <p>Implementations must be idempotent and atomic per pod: {@link #apply} replaces the pod's whole
 * state in one step, so no packet ever sees a mix of old and new rules.
 */
public interface EnforcementBackend {
  /** Service property naming the backend, e.g. {@code ebpf} or {@code iptables}. */
  String NAME_PROPERTY = "netpol.backend";

  String name();

  /** Programs the pod's complete desired state; returns quickly if it is already in place. */
  void apply(PodEndpoint pod, PodPolicy policy) throws EnforcementException;

  /** Removes everything the backend holds for the pod; a pod it does not know is not an error. */
  void remove(PodKey pod) throws EnforcementException;

  /** Every pod this backend has programmed, as read back from its kernel objects. */
  Map<PodKey, ProgrammedPod> programmed();

  BackendHealth health();
}
