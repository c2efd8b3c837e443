package dev.netpol.apiserver.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What all watches share: the per-watch queue limit, and counts for operators and tests. */
public final class Watches {
  final int queueLimit;
  final AtomicInteger open = new AtomicInteger();
  final AtomicLong endedSlow = new AtomicLong();

  /** queueLimit: events one watch may have waiting before it is ended as too slow. */
  public Watches(int queueLimit) {
    if (queueLimit < 1) {
      throw new IllegalArgumentException("watch queue limit must be positive: " + queueLimit);
    }
    this.queueLimit = queueLimit;
  }

  /** Watches being served now. */
  public int open() {
    return open.get();
  }

  /** Watches ended because their client read too slowly. */
  public long endedSlow() {
    return endedSlow.get();
  }
}
