package dev.netpol.agent.internal;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keys to reconcile, coalesced: a key marked several times before a worker takes it is reconciled
 * once. Informer handlers only mark keys; one worker reconciles them.
 */
final class WorkQueue<K> {
  private final Set<K> dirty = new LinkedHashSet<>();
  private final ScheduledExecutorService delays =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-agent-retry");
            t.setDaemon(true);
            return t;
          });
  private boolean closed;

  synchronized void add(K key) {
    if (!closed && dirty.add(key)) {
      notifyAll();
    }
  }

  void addAfter(K key, long millis) {
    delays.schedule(() -> add(key), millis, TimeUnit.MILLISECONDS);
  }

  /** The next key, waiting for one; {@code null} once closed. */
  synchronized K take() throws InterruptedException {
    while (dirty.isEmpty() && !closed) {
      wait();
    }
    if (closed) {
      return null;
    }
    K k = dirty.iterator().next();
    dirty.remove(k);
    return k;
  }

  synchronized void close() {
    closed = true;
    notifyAll();
    delays.shutdownNow();
  }
}
