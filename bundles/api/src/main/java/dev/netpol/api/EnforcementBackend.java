package dev.netpol.api;

import dev.netpol.api.model.PodEndpoint;
import dev.netpol.api.model.PodPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the kernel enforce pods' desired states. Registered as an OSGi service with the property
 * {@code netpol.backend=<name>}; the agent programs whichever one is active.
 *
 * <p>Implementations must be idempotent and atomic per pod: {@link #apply} replaces the pod's whole
 * state in one step, so no packet ever sees a mix of old and new rules.
 *
 * <p>Stopping a backend (its bundle, or the process) leaves its kernel state enforcing; a new
 * instance adopts it. Changing backends is a hand-over run by the agent in its work queue: the new
 * backend is given every pod ({@link #apply}), verified ({@link #programmed} digests and {@link
 * #health}), and only then does the old one {@link #release} its kernel state. While both are in
 * place, a packet must pass both.
 */
public interface EnforcementBackend {
  /** Service property naming the backend, e.g. {@code ebpf} or {@code iptables}. */
  String NAME_PROPERTY = "netpol.backend";

  String name();

  /** Programs the pod's complete desired state; returns quickly if it is already in place. */
  void apply(PodEndpoint pod, PodPolicy policy) throws EnforcementException;

  /**
   * Programs several pods' complete desired states, each as {@link #apply} would. A backend whose
   * kernel transaction costs about the same for one pod as for many (iptables: every restore reads
   * the whole ruleset) overrides this, so that a first sync, an adoption after a restart, a resync
   * or a hand-over costs one transaction rather than one per pod. Each pod is still replaced
   * atomically, and a pod that fails does not keep the others from being programmed.
   *
   * @return the pods that were not programmed, each with why (they keep their previous state);
   *     every other pod is programmed
   */
  default Map<PodKey, EnforcementException> applyAll(List<PodDesiredState> pods) {
    Map<PodKey, EnforcementException> failed = new LinkedHashMap<>();
    for (PodDesiredState p : pods) {
      try {
        apply(p.endpoint(), p.policy());
      } catch (EnforcementException e) {
        failed.put(p.key(), e);
      } catch (RuntimeException e) {
        failed.put(p.key(), new EnforcementException("pod " + p.key() + ": " + e.getMessage(), e));
      }
    }
    return failed;
  }

  /** Removes everything the backend holds for the pod; a pod it does not know is not an error. */
  void remove(PodKey pod) throws EnforcementException;

  /** Every pod this backend has programmed, as read back from its kernel objects. */
  Map<PodKey, ProgrammedPod> programmed();

  BackendHealth health();

  /**
   * The last step of a hand-over: removes every kernel object this backend holds on the node (all
   * pods and node-wide objects), after another backend has taken over. Afterwards this backend
   * enforces nothing until its next {@link #apply}.
   */
  void release() throws EnforcementException;

  /** Counters and table usage read from the kernel, for metrics and the console. */
  default BackendStatistics statistics() {
    return BackendStatistics.EMPTY;
  }
}
