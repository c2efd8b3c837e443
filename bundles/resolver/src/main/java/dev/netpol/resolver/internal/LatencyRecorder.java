package dev.netpol.resolver.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Time from the first event of a change to the last write that carried it: a cumulative histogram
 * (Prometheus style, seconds) and the most recent samples for percentiles. Thread-safe.
 */
public final class LatencyRecorder {
  private static final double[] BOUNDS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, Double.POSITIVE_INFINITY
  };
  private static final int RECENT = 4096;
  private final long[] counts = new long[BOUNDS.length];
  private final long[] recentNanos = new long[RECENT];
  private long samples;

  public synchronized void record(Instant from, Instant to) {
    long nanos = Math.max(0, Duration.between(from, to).toNanos());
    double s = nanos / 1e9;
    for (int i = 0; i < BOUNDS.length; i++) {
      if (s <= BOUNDS[i]) {
        counts[i]++;
        break;
      }
    }
    recentNanos[(int) (samples % RECENT)] = nanos;
    samples++;
  }

  public synchronized long count() {
    return samples;
  }

  /** Upper bound in seconds to the number of samples at or below it. */
  public synchronized SortedMap<Double, Long> histogram() {
    SortedMap<Double, Long> out = new TreeMap<>();
    long sum = 0;
    for (int i = 0; i < BOUNDS.length; i++) {
      sum += counts[i];
      out.put(BOUNDS[i], sum);
    }
    return out;
  }

  /** The {@code p}-th percentile (0..100) of the most recent samples, in milliseconds. */
  public synchronized double percentileMillis(double p) {
    int n = (int) Math.min(samples, RECENT);
    if (n == 0) {
      return Double.NaN;
    }
    long[] s = Arrays.copyOf(recentNanos, n);
    Arrays.sort(s);
    int i = (int) Math.min(n - 1, Math.max(0, Math.ceil(p / 100.0 * n) - 1));
    return s[i] / 1e6;
  }

  /** Samples recorded after the first {@code from} (at most the last 4096), in milliseconds. */
  public synchronized java.util.List<Double> samplesMillis(long from) {
    java.util.List<Double> out = new java.util.ArrayList<>();
    for (long i = Math.max(from, samples - RECENT); i < samples; i++) {
      out.add(recentNanos[(int) (i % RECENT)] / 1e6);
    }
    return out;
  }

  /** The most recent sample in milliseconds. */
  public synchronized double lastMillis() {
    return samples == 0 ? Double.NaN : recentNanos[(int) ((samples - 1) % RECENT)] / 1e6;
  }
}
