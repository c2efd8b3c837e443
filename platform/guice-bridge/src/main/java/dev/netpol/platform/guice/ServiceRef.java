package dev.netpol.platform.guice;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A dynamic reference to OSGi services of one type: always the current ones. */
@org.osgi.annotation.versioning.ProviderType
public interface ServiceRef<T> {
  /** The highest-ranked service right now, if any. */
  Optional<T> current();

  /** All services right now, highest ranking first, with their properties. */
  List<Registered<T>> all();

  /** Calls {@code listener} with the current service now and after every change. */
  AutoCloseable follow(Consumer<Optional<T>> listener);

  /** A service with its registration properties. */
  record Registered<T>(T service, java.util.Map<String, Object> properties) {}
}
