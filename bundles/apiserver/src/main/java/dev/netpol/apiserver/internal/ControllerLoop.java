package dev.netpol.apiserver.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the in-process controllers (garbage collector, EndpointSlices) on one thread, fed by store
 * events.
 */
public final class ControllerLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerLoop.class);

  private final ResourceService service;
  private final GarbageCollector gc;
  private final EndpointSliceController slices;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-apiserver-controllers");
            t.setDaemon(true);
            return t;
          });
  private final Consumer<StoreEvent> listener = this::enqueue;

  public ControllerLoop(ResourceService service) {
    this.service = service;
    this.gc = new GarbageCollector(service);
    this.slices = new EndpointSliceController(service);
  }

  public void start() {
    service.store().addListener(listener);
    executor.execute(
        () ->
            guarded(
                () -> {
                  gc.sweep();
                  slices.reconcileAll();
                }));
  }

  private void enqueue(StoreEvent e) {
    try {
      executor.execute(
          () ->
              guarded(
                  () -> {
                    gc.onEvent(e);
                    slices.onEvent(e);
                  }));
    } catch (RejectedExecutionException ignored) {
      // shutting down
    }
  }

  private static void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("controller step failed", e);
    }
  }

  @Override
  public void close() {
    service.store().removeListener(listener);
    executor.shutdownNow();
  }
}
