package dev.netpol.platform.guice.internal;

import dev.netpol.platform.guice.ServiceRef;
import dev.netpol.platform.guice.ServiceUnavailableException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/** A {@link ServiceRef} over an OSGi {@link ServiceTracker}; also makes the injected proxy. */
public final class ServiceTrackerRef<T> implements ServiceRef<T> {
  private final Class<T> type;
  private final List<Consumer<Optional<T>>> listeners = new CopyOnWriteArrayList<>();
  private volatile ServiceTracker<T, T> tracker;

  /**
   * Our own view, updated inside the tracker callbacks before listeners are told, so a listener
   * always sees the change it is told about (the tracker's view is updated only after them).
   * Ordered by ServiceReference: highest ranking, then oldest, last.
   */
  private final java.util.concurrent.ConcurrentSkipListMap<ServiceReference<T>, T> tracked =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  /** Listeners run here, one change after the other, after the tracker has taken the change in. */
  private volatile java.util.concurrent.ExecutorService notifier;

  public ServiceTrackerRef(Class<T> type) {
    this.type = type;
  }

  public void open(BundleContext context) {
    // one thread at most, in order; it ends after a few idle seconds (services rarely change,
    // and a node holds one such reference per bundle and type)
    java.util.concurrent.ThreadPoolExecutor n =
        new java.util.concurrent.ThreadPoolExecutor(
            1,
            1,
            5,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "netpol-service-" + type.getSimpleName());
              t.setDaemon(true);
              return t;
            });
    n.allowCoreThreadTimeOut(true);
    notifier = n;
    tracker =
        new ServiceTracker<>(
            context,
            type,
            new ServiceTrackerCustomizer<T, T>() {
              @Override
              public T addingService(ServiceReference<T> reference) {
                T s = context.getService(reference);
                if (s != null) {
                  tracked.put(reference, s);
                  notifyListeners();
                }
                return s;
              }

              @Override
              public void modifiedService(ServiceReference<T> reference, T service) {
                tracked.put(reference, service); // re-sorted: the ranking may have changed
                notifyListeners();
              }

              @Override
              public void removedService(ServiceReference<T> reference, T service) {
                tracked.remove(reference);
                context.ungetService(reference);
                notifyListeners();
              }
            });
    tracker.open();
    notifyListeners();
  }

  public void close() {
    ServiceTracker<T, T> t = tracker;
    tracker = null;
    if (t != null) {
      t.close();
    }
    tracked.clear();
    java.util.concurrent.ExecutorService n = notifier;
    if (n != null) {
      n.shutdownNow();
    }
  }

  private void notifyListeners() {
    java.util.concurrent.ExecutorService n = notifier;
    if (n == null) {
      return;
    }
    try {
      n.execute(
          () -> {
            Optional<T> c = current();
            listeners.forEach(
                l -> {
                  try {
                    l.accept(c);
                  } catch (RuntimeException | LinkageError e) {
                    org.slf4j.LoggerFactory.getLogger(ServiceTrackerRef.class)
                        .error("listener of {} failed: {}", type.getSimpleName(), e.toString(), e);
                  }
                });
          });
    } catch (java.util.concurrent.RejectedExecutionException ignored) {
      // closed: the bundle is stopping
    }
  }

  @Override
  public Optional<T> current() {
    var last = tracked.lastEntry();
    return last == null ? Optional.empty() : Optional.of(last.getValue());
  }

  @Override
  public List<Registered<T>> all() {
    List<Registered<T>> out = new ArrayList<>();
    for (var e : tracked.descendingMap().entrySet()) {
      Map<String, Object> props = new HashMap<>();
      for (String k : e.getKey().getPropertyKeys()) {
        props.put(k, e.getKey().getProperty(k));
      }
      out.add(new Registered<>(e.getValue(), props));
    }
    return out;
  }

  @Override
  public AutoCloseable follow(Consumer<Optional<T>> listener) {
    listeners.add(listener);
    listener.accept(current());
    return () -> listeners.remove(listener);
  }

  /** A proxy that calls the current service, or throws {@link ServiceUnavailableException}. */
  public T proxy() {
    Object p =
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                  case "toString" -> "ServiceRef<" + type.getSimpleName() + ">";
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(method.getName());
                };
              }
              T target =
                  current().orElseThrow(() -> new ServiceUnavailableException(type.getName()));
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
    return type.cast(p);
  }
}
