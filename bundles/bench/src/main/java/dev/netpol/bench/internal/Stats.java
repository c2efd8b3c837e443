package dev.netpol.bench.internal;

import java.util.Arrays;
import java.util.Collection;

/** Order statistics of a small sample (rounds of one point), with NaN for an empty sample. */
public record Stats(int n, double median, double min, double max, double p25, double p75) {

  public static Stats of(Collection<Double> values) {
    double[] v =
        values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).toArray();
    Arrays.sort(v);
    if (v.length == 0) {
      return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    return new Stats(
        v.length, quantile(v, 0.5), v[0], v[v.length - 1], quantile(v, 0.25), quantile(v, 0.75));
  }

  /**
   * The q-quantile of sorted values, linear between closest ranks (what R's type 7 and numpy's
   * default do), so the median of an even sample is the mean of the middle two.
   */
  public static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  /** The q-quantile of unsorted values. */
  public static double quantile(Collection<Double> values, double q) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return quantile(v, q);
  }

  /** (max - min) / median: the relative spread of the rounds. */
  public double relativeSpread() {
    return n == 0 || median == 0 ? Double.NaN : (max - min) / Math.abs(median);
  }
}
