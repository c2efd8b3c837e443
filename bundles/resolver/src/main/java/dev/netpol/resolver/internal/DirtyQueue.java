package dev.netpol.resolver.internal;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Work queue of dirty keys with coalescing: marking a queued key again keeps one entry and the
 * earliest time a change was seen. A key being processed is never handed out twice; if it is marked
 * meanwhile it is queued again when {@link #done} is called.
 */
public final class DirtyQueue<K> {
  public record Item<K>(K key, Instant firstSeen) {}

  private final LinkedHashMap<K, Instant> queued = new LinkedHashMap<>();
  private final Map<K, Instant> markedWhileBusy = new LinkedHashMap<>();
  private final Set<K> busy = new HashSet<>();
  private boolean closed;

  public synchronized void mark(K key, Instant seen) {
    if (busy.contains(key)) {
      markedWhileBusy.merge(key, seen, DirtyQueue::earliest);
      return;
    }
    queued.merge(key, seen, DirtyQueue::earliest);
    notifyAll();
  }

  /** Blocks until a key is ready; null once closed. */
  public synchronized Item<K> take() throws InterruptedException {
    while (queued.isEmpty() && !closed) {
      wait();
    }
    if (closed) {
      return null;
    }
    var it = queued.entrySet().iterator();
    var e = it.next();
    it.remove();
    busy.add(e.getKey());
    return new Item<>(e.getKey(), e.getValue());
  }

  public synchronized void done(K key) {
    busy.remove(key);
    Instant again = markedWhileBusy.remove(key);
    if (again != null) {
      mark(key, again);
    }
  }

  public synchronized int size() {
    return queued.size();
  }

  public synchronized boolean idle() {
    return queued.isEmpty() && busy.isEmpty();
  }

  public synchronized void close() {
    closed = true;
    notifyAll();
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
