package dev.netpol.console.internal.pages;

import dev.netpol.api.status.AgentControl;
import dev.netpol.api.status.BackendSwitch;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs backend switches asked for in the console one at a time, off the request thread (a hand-over
 * programs every pod and can take a while); keeps the last few results to show.
 */
public final class SwitchRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SwitchRunner.class);

  /** A switch asked for: its result once done. */
  record Run(long id, String from, String to, Instant started, BackendSwitch result) {}

  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "netpol-console-switch");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Run> runs =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Run> e) {
          return size() > 20;
        }
      };

  /** Starts a switch; returns its id. */
  synchronized long start(AgentControl control, String from, String to, String user) {
    long id = ids.incrementAndGet();
    Instant started = Instant.now();
    runs.put(id, new Run(id, from, to, started, null));
    LOG.info("console: {} asked to switch the backend from {} to {}", user, from, to);
    executor.execute(
        () -> {
          BackendSwitch r;
          try {
            r = control.switchBackend(to);
          } catch (RuntimeException e) {
            r = new BackendSwitch(from, to, "failed", 0, started, Instant.now(), e.toString());
          }
          LOG.info("console: backend switch {} -> {}: {} ({})", from, to, r.outcome(), r.detail());
          synchronized (this) {
            runs.put(id, new Run(id, from, to, started, r));
          }
        });
    return id;
  }

  synchronized Optional<Run> run(long id) {
    return Optional.ofNullable(runs.get(id));
  }

  synchronized boolean busy() {
    return runs.values().stream().anyMatch(r -> r.result() == null);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
