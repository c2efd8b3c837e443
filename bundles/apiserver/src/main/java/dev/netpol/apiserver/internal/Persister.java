package dev.netpol.apiserver.internal;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Saves the store shortly after changes (coalescing bursts) and once more on close. */
public final class Persister implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Persister.class);
  private static final long DELAY_MS = 100;

  private final ObjectStore store;
  private final StateFile file;
  private final AtomicBoolean dirty = new AtomicBoolean();
  private final Consumer<StoreEvent> listener = e -> dirty.set(true);
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-apiserver-persist");
            t.setDaemon(true);
            return t;
          });

  public Persister(ObjectStore store, StateFile file) {
    this.store = store;
    this.file = file;
  }

  public void start() {
    store.addListener(listener);
    timer.scheduleWithFixedDelay(this::flushIfDirty, DELAY_MS, DELAY_MS, TimeUnit.MILLISECONDS);
  }

  private synchronized void flushIfDirty() {
    if (dirty.getAndSet(false)) {
      try {
        file.save(store.snapshot());
      } catch (IOException | RuntimeException e) {
        dirty.set(true);
        LOG.warn("cannot save state to {}", file.path(), e);
      }
    }
  }

  @Override
  public void close() {
    store.removeListener(listener);
    timer.shutdown();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushIfDirty();
  }
}
