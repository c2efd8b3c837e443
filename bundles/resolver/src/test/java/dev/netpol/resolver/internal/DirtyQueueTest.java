package dev.netpol.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DirtyQueueTest {
  static final Instant T1 = Instant.parse("2026-01-01T00:00:01Z");
  static final Instant T2 = Instant.parse("2026-01-01T00:00:02Z");

  @Test
  void marksCoalesceAndKeepTheEarliestTime() throws Exception {
    DirtyQueue<String> q = new DirtyQueue<>();
    q.mark("a", T2);
    q.mark("b", T2);
    q.mark("a", T1);
    assertEquals(2, q.size());
    var item = q.take();
    assertEquals("a", item.key());
    assertEquals(T1, item.firstSeen());
  }

  @Test
  void aKeyMarkedWhileBusyIsQueuedAgainWhenDone() throws Exception {
    DirtyQueue<String> q = new DirtyQueue<>();
    q.mark("a", T1);
    var item = q.take();
    q.mark("a", T2);
    assertEquals(0, q.size(), "not handed out twice while busy");
    q.done(item.key());
    assertEquals(1, q.size());
    assertEquals(T2, q.take().firstSeen());
    q.done("a");
    assertTrue(q.idle());
  }
}
