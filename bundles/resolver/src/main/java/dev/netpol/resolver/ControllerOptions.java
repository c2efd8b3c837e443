package dev.netpol.resolver;

import java.time.Clock;
import java.time.Duration;

/**
 * Tunables of {@link PolicyController}.
 *
 * @param chunkSize entries per list per PolicyEndpoint
 * @param resyncPeriod how often every policy is reconciled even without events
 * @param retryDelay wait before retrying a policy whose writes failed
 * @param clock source of change-seen times
 */
public record ControllerOptions(
    int chunkSize, Duration resyncPeriod, Duration retryDelay, Clock clock) {

  public static ControllerOptions defaults() {
    return new ControllerOptions(
        PolicyEndpointPlanner.DEFAULT_CHUNK_SIZE,
        Duration.ofMinutes(5),
        Duration.ofSeconds(1),
        Clock.systemUTC());
  }

  public ControllerOptions withChunkSize(int size) {
    return new ControllerOptions(size, resyncPeriod, retryDelay, clock);
  }

  public ControllerOptions withResyncPeriod(Duration period) {
    return new ControllerOptions(chunkSize, period, retryDelay, clock);
  }
}
