package dev.netpol.agent.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the agent's one worker does next: tasks (a backend hand-over, a resync) before keys, and
 * keys to reconcile, coalesced (a key marked several times before the worker takes it is reconciled
 * once) and taken together (every key waiting, so that a first sync or a resync reaches the backend
 * as one batch). Informer handlers only mark keys; because one worker does everything, a task never
 * interleaves with a reconcile.
 */
final class WorkQueue<K> {
  /** At most this many keys are taken as one batch. */
  static final int MAX_BATCH = 512;

  /** One item of work: a task to run, or keys to reconcile (in the order they were marked). */
  record Item<K>(Runnable task, List<K> keys) {}

  private final Set<K> dirty = new LinkedHashSet<>();
  private final Deque<Pending> tasks = new ArrayDeque<>();

  private record Pending(Runnable run, CompletableFuture<?> future) {}

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
    try {
      delays.schedule(() -> add(key), millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  /** Runs {@code task} on the worker before any further key; the future completes with it. */
  <T> CompletableFuture<T> submit(Callable<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Runnable r =
        () -> {
          try {
            f.complete(task.call());
          } catch (Throwable t) {
            f.completeExceptionally(t);
          }
        };
    synchronized (this) {
      if (closed) {
        f.completeExceptionally(new IllegalStateException("the agent is stopping"));
        return f;
      }
      tasks.add(new Pending(r, f));
      notifyAll();
    }
    return f;
  }

  /** The next item, waiting for one; {@code null} once closed. */
  synchronized Item<K> take() throws InterruptedException {
    while (dirty.isEmpty() && tasks.isEmpty() && !closed) {
      wait();
    }
    if (closed) {
      return null;
    }
    if (!tasks.isEmpty()) {
      return new Item<>(tasks.poll().run(), null);
    }
    List<K> keys = new ArrayList<>();
    for (java.util.Iterator<K> it = dirty.iterator(); it.hasNext() && keys.size() < MAX_BATCH; ) {
      keys.add(it.next());
      it.remove();
    }
    return new Item<>(null, keys);
  }

  /** Keys waiting to be reconciled. */
  synchronized int pending() {
    return dirty.size();
  }

  synchronized void close() {
    closed = true;
    for (Pending p : tasks) {
      p.future().completeExceptionally(new IllegalStateException("the agent is stopping"));
    }
    tasks.clear();
    notifyAll();
    delays.shutdownNow();
  }
}
