package dev.netpol.api.status;

import java.util.List;

/**
 * The policy controller's view, registered as an OSGi service by the controller (the console and
 * the metrics exporter read it).
 */
@org.osgi.annotation.versioning.ProviderType
public interface ControllerStatus {
  /** Whether this controller holds the lease and writes PolicyEndpoints. */
  boolean leader();

  /** This controller's identity in leader election. */
  String identity();

  /** Every NetworkPolicy the controller has resolved, with its PolicyEndpoints. */
  List<PolicyStatus> policies();

  /** PolicyEndpoint writes (create, update, delete, status) since start. */
  long writes();

  /** Failed resolutions and writes since start. */
  long errors();
}
