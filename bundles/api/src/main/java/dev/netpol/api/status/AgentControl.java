package dev.netpol.api.status;

/**
 * Steering a running node agent, registered as an OSGi service by the agent (the console's switch
 * and {@code bin/netpol backend switch} use it).
 */
@org.osgi.annotation.versioning.ProviderType
public interface AgentControl {
  /**
   * Makes {@code backend} the active backend with a make-before-break hand-over, run in the agent's
   * work queue so that nothing interleaves with it. Blocks until the switch is done or has failed;
   * a failed switch leaves the previous backend active and enforcing.
   */
  BackendSwitch switchBackend(String backend);
}
