package dev.netpol.bench.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianOfOddAndEvenSamples() {
    assertEquals(3, Stats.of(List.of(5.0, 1.0, 3.0)).median());
    assertEquals(2.5, Stats.of(List.of(4.0, 1.0, 3.0, 2.0)).median());
  }

  @Test
  void spreadAndQuartiles() {
    Stats s = Stats.of(List.of(10.0, 20.0, 30.0, 40.0, 50.0));
    assertEquals(10, s.min());
    assertEquals(50, s.max());
    assertEquals(20, s.p25());
    assertEquals(40, s.p75());
    assertEquals(40.0 / 30.0, s.relativeSpread(), 1e-12);
  }

  @Test
  void nanIsIgnoredAndEmptyIsNan() {
    assertEquals(2, Stats.of(List.of(Double.NaN, 2.0)).median());
    Stats e = Stats.of(List.of());
    assertEquals(0, e.n());
    assertTrue(Double.isNaN(e.median()));
  }

  @Test
  void quantilesOfALargerSample() {
    List<Double> v = new java.util.ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      v.add((double) i);
    }
    assertEquals(99.01, Stats.quantile(v, 0.99), 1e-9);
    assertEquals(50.5, Stats.quantile(v, 0.5), 1e-9);
  }
}
