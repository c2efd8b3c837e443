package dev.netpol.agent.internal;

import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/** Policy programming latency: cumulative buckets in seconds, Prometheus style. */
final class LatencyHistogram {
  static final double[] BOUNDS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, Double.POSITIVE_INFINITY
  };
  private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length);
  private final DoubleAdder sum = new DoubleAdder();

  void observe(double seconds) {
    sum.add(seconds);
    for (int i = 0; i < BOUNDS.length; i++) {
      if (seconds <= BOUNDS[i]) {
        counts.incrementAndGet(i);
        return;
      }
    }
  }

  /** Sum of every observation, in seconds. */
  double sum() {
    return sum.sum();
  }

  SortedMap<Double, Long> snapshot() {
    SortedMap<Double, Long> out = new TreeMap<>();
    long sum = 0;
    for (int i = 0; i < BOUNDS.length; i++) {
      sum += counts.get(i);
      out.put(BOUNDS[i], sum);
    }
    return out;
  }
}
