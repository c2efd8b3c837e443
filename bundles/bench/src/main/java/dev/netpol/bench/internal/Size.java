package dev.netpol.bench.internal;

import java.util.List;

/**
 * How much to measure. {@code quick} keeps every code path of the harness running in a couple of
 * minutes (CI); {@code full} is the report.
 */
public enum Size {
  QUICK,
  FULL;

  public static Size parse(String s) {
    return switch (s) {
      case "quick" -> QUICK;
      case "full" -> FULL;
      default ->
          throw new IllegalArgumentException("--size must be quick or full, not '" + s + "'");
    };
  }

  public boolean full() {
    return this == FULL;
  }

  // datapath
  public List<Integer> peerCounts() {
    return full() ? List.of(1, 100, 1_000, 10_000, 50_000) : List.of(1, 1_000);
  }

  public List<Integer> portRangeCounts() {
    return full() ? List.of(100, 1_000) : List.of(100);
  }

  public int rounds() {
    return full() ? 5 : 2;
  }

  /** Seconds per tool run (iperf3, sockperf, connection rate). */
  public int toolSeconds() {
    return full() ? 5 : 1;
  }

  // programming
  public int nodePods() {
    return full() ? 110 : 12;
  }

  public int nodePolicies() {
    return full() ? 1_000 : 30;
  }

  /** Policy changes (half opening, half closing) timed end to end. */
  public int policyChanges() {
    return full() ? 60 : 4;
  }

  public int firstPolicyRepeats() {
    return full() ? 10 : 1;
  }

  public List<Integer> ruleCounts() {
    return full() ? List.of(1, 100, 1_000, 10_000, 50_000) : List.of(1, 1_000);
  }

  // scale
  public int controllerPods() {
    return full() ? 50_000 : 2_000;
  }

  public int controllerPolicies() {
    return full() ? 5_000 : 200;
  }

  public int agentRules() {
    return full() ? 10_000 : 1_000;
  }

  public int churnSeconds() {
    return full() ? 60 : 8;
  }

  // api
  public int apiSeconds() {
    return full() ? 20 : 3;
  }
}
