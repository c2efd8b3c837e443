/**
 * What operators see and steer: the agent's and the controller's status and the agent's control
 * service. The console and the metrics exporter depend on these types alone.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.netpol.api.status;
