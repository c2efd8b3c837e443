package dev.netpol.agent;

import dev.netpol.api.PodKey;
import java.util.Map;
import java.util.SortedMap;

/** The node agent's view of its node, registered as an OSGi service (for the console and CLI). */
public interface AgentStatus {
  String nodeName();

  /** Name of the backend being programmed, or empty while none is available. */
  String backend();

  /** Whether the pod and PolicyEndpoint caches have synced since the agent started. */
  boolean synced();

  /** Local pods and the digest of the policy last programmed for each. */
  Map<PodKey, String> programmed();

  /**
   * Programming latency histogram: upper bound in seconds (cumulative, Prometheus style) to count;
   * measured from the controller seeing a change to this node having programmed it.
   */
  SortedMap<Double, Long> latencyHistogram();
}
