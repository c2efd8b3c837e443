package dev.netpol.api;

import java.net.InetAddress;
import java.time.Instant;

/**
 * One new flow decided by a backend's datapath, for live flow logs (the console's verdict log).
 * Events are samples, not counts: a busy datapath drops some; counts come from {@link
 * EnforcementBackend#statistics()}.
 *
 * @param pod the local pod whose interface saw the flow, or null when the backend cannot tell
 * @param direction {@code ingress} (to the pod) or {@code egress} (from the pod)
 * @param policy {@code namespace/name} of the policies whose rules allowed it (comma-separated),
 *     empty for denials and default verdicts
 * @param reason why, as in {@link BackendStatistics.VerdictCount#reason()}
 * @param protocol the IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, ...)
 */
public record VerdictEvent(
    Instant time,
    PodKey pod,
    String direction,
    boolean allowed,
    String policy,
    String reason,
    int protocol,
    InetAddress source,
    int sourcePort,
    InetAddress destination,
    int destinationPort) {
  public VerdictEvent {
    policy = policy == null ? "" : policy;
    reason = reason == null ? "" : reason;
  }
}
