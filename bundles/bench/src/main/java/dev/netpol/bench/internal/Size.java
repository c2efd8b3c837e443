package dev.netpol.bench.internal;

import java.util.List;
import java.util.Locale;

/**
 * How much to measure. {@code quick} keeps every code path of the harness running in a couple of
 * minutes (CI); {@code full} is the report. The datapath's points and rounds can be narrowed (or
 * widened) for a focused run: {@code --peers}, {@code --port-ranges}, {@code --rounds}.
 */
public final class Size {
  public static final Size QUICK = new Size(false, null, null, 0);
  public static final Size FULL = new Size(true, null, null, 0);

  private final boolean full;
  private final List<Integer> peers;
  private final List<Integer> portRanges;
  private final int rounds;

  private Size(boolean full, List<Integer> peers, List<Integer> portRanges, int rounds) {
    this.full = full;
    this.peers = peers;
    this.portRanges = portRanges;
    this.rounds = rounds;
  }

  /** Only these peer counts on the datapath's peer axis. */
  public Size withPeers(List<Integer> p) {
    return new Size(full, List.copyOf(p), portRanges, rounds);
  }

  /** Only these port range counts on the datapath's port axis (empty: none). */
  public Size withPortRanges(List<Integer> r) {
    return new Size(full, peers, List.copyOf(r), rounds);
  }

  /** Rounds per datapath point. */
  public Size withRounds(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1, not " + n);
    }
    return new Size(full, peers, portRanges, n);
  }

  /** {@code quick} or {@code full}, with any narrowing, e.g. {@code full (peers [1, 50000])}. */
  public String describe() {
    StringBuilder b = new StringBuilder(full ? "full" : "quick");
    List<String> o = new java.util.ArrayList<>();
    if (peers != null) {
      o.add("peers " + peers);
    }
    if (portRanges != null) {
      o.add("port ranges " + portRanges);
    }
    if (rounds > 0) {
      o.add("rounds " + rounds);
    }
    if (!o.isEmpty()) {
      b.append(" (").append(String.join(", ", o)).append(')');
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return describe();
  }

  public static Size parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "quick" -> QUICK;
      case "full" -> FULL;
      default ->
          throw new IllegalArgumentException("--size must be quick or full, not '" + s + "'");
    };
  }

  public boolean full() {
    return full;
  }

  // datapath
  public List<Integer> peerCounts() {
    if (peers != null) {
      return peers;
    }
    return full() ? List.of(1, 100, 1_000, 10_000, 50_000) : List.of(1, 1_000);
  }

  public List<Integer> portRangeCounts() {
    if (portRanges != null) {
      return portRanges;
    }
    return full() ? List.of(100, 1_000) : List.of(100);
  }

  public int rounds() {
    if (rounds > 0) {
      return rounds;
    }
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
