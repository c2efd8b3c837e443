package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void bucketsAreCumulativeAndTheSumIsKept() {
    LatencyHistogram h = new LatencyHistogram();
    h.observe(0.003);
    h.observe(0.2);
    h.observe(0.2);
    h.observe(100);
    SortedMap<Double, Long> s = h.snapshot();
    assertEquals(1L, s.get(0.005));
    assertEquals(1L, s.get(0.1));
    assertEquals(3L, s.get(0.25));
    assertEquals(3L, s.get(60.0));
    assertEquals(4L, s.get(Double.POSITIVE_INFINITY));
    assertEquals(100.403, h.sum(), 1e-9);
  }
}
