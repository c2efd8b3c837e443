package dev.netpol.api;

import java.util.function.Consumer;

/**
 * A backend's live verdict events. Registered as an OSGi service beside the backend's {@link
 * EnforcementBackend}, with the same {@code netpol.backend} property, by backends that report
 * events; any number of subscribers share the backend's one reader.
 */
public interface VerdictEvents {
  /**
   * Calls {@code listener} with every event from now on, on the backend's reader thread (so it must
   * return quickly); closing the returned handle stops the calls.
   */
  AutoCloseable subscribe(Consumer<VerdictEvent> listener);
}
