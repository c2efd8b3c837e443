package dev.netpol.api;

import java.util.List;

/**
 * Counters and table usage of a backend's kernel objects, read from the kernel (per-CPU counters in
 * the datapath, iptables rule counters), for metrics and the console.
 *
 * @param verdicts packets decided per pod, direction, verdict and deciding policy
 * @param tables each kernel table (map, ipset, chain) the backend fills, with its size and limit
 * @param trackedFlows connections the backend tracks now (its own table, or the kernel's)
 */
public record BackendStatistics(
    List<VerdictCount> verdicts, List<TableUsage> tables, long trackedFlows) {
  public static final BackendStatistics EMPTY = new BackendStatistics(List.of(), List.of(), 0);

  public BackendStatistics {
    verdicts = List.copyOf(verdicts);
    tables = List.copyOf(tables);
  }

  /**
   * @param direction {@code ingress} or {@code egress}
   * @param policy {@code namespace/name} of the policy whose rule allowed the packets, {@code node}
   *     for the node-address rule, empty for default verdicts and denials
   * @param reason why: {@code rule}, {@code no-rule}, {@code default-allow}, {@code default-deny},
   *     {@code established}, ...
   */
  public record VerdictCount(
      PodKey pod, String direction, boolean allowed, String policy, String reason, long packets) {}

  /**
   * @param capacity the table's limit, or -1 when it has none
   */
  public record TableUsage(String name, long entries, long capacity) {}
}
