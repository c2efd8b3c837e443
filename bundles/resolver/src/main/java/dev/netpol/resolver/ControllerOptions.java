package dev.netpol.resolver;

import java.time.Clock;
import java.time.Duration;

/**
 * Tunables of {@link PolicyController}.
 *
 * @param chunkSize entries per list per PolicyEndpoint
 * @param resyncPeriod how often every policy is reconciled even without events
 * @param retryDelay wait before retrying a policy whose writes failed
 * @param workers policies reconciled at the same time (never the same policy twice at once)
 * @param perNodeAbove policies selecting more pods than this get one selection object per node
 * @param clock source of change-seen times
 */
public record ControllerOptions(
    int chunkSize,
    Duration resyncPeriod,
    Duration retryDelay,
    int workers,
    int perNodeAbove,
    Clock clock) {

  public static final int DEFAULT_WORKERS = 4;

  public ControllerOptions {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
  }

  public static ControllerOptions defaults() {
    return new ControllerOptions(
        PolicyEndpointPlanner.DEFAULT_CHUNK_SIZE,
        Duration.ofMinutes(5),
        Duration.ofSeconds(1),
        DEFAULT_WORKERS,
        PolicyEndpointPlanner.DEFAULT_PER_NODE_ABOVE,
        Clock.systemUTC());
  }

  public ControllerOptions withChunkSize(int size) {
    return new ControllerOptions(size, resyncPeriod, retryDelay, workers, perNodeAbove, clock);
  }

  public ControllerOptions withResyncPeriod(Duration period) {
    return new ControllerOptions(chunkSize, period, retryDelay, workers, perNodeAbove, clock);
  }

  public ControllerOptions withRetryDelay(Duration delay) {
    return new ControllerOptions(chunkSize, resyncPeriod, delay, workers, perNodeAbove, clock);
  }

  public ControllerOptions withPerNodeAbove(int pods) {
    return new ControllerOptions(chunkSize, resyncPeriod, retryDelay, workers, pods, clock);
  }

  public ControllerOptions withWorkers(int n) {
    return new ControllerOptions(chunkSize, resyncPeriod, retryDelay, n, perNodeAbove, clock);
  }
}
