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
  /** Listeners run here, one change after the other, after the tracker has taken the change in. */
  private volatile java.util.concurrent.ExecutorService notifier;

  public ServiceTrackerRef(Class<T> type) {
    this.type = type;
  }

  public void open(BundleContext context) {
    notifier = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "netpol-service-" + type.getSimpleName());
      t.setDaemon(true);
      return t;
    });
    tracker = new ServiceTracker<>(context, type, new ServiceTrackerCustomizer<T, T>() {
      @Override
      public T addingService(ServiceReference<T> reference) {
        T s = context.getService(reference);
        notifyListeners();
        return s;
      }

      @Override
      public void modifiedService(ServiceReference<T> reference, T service) {
        notifyListeners();
      }

      @Override
      public void removedService(ServiceReference<T> reference, T service) {
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
    java.util.concurrent.ExecutorService n = notifier;
    if (n != null) {
      n.shutdownNow();
    }
  }

  private void notifyListeners() {
    java.util.concurrent.ExecutorService n = notifier;
    if (n == null || listeners.isEmpty()) {
      return;
    }
    try {
      n.execute(() -> {
        Optional<T> c = current();
        listeners.forEach(l -> {
          try {
            l.accept(c);
          } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ServiceTrackerRef.class).error("listener of {} failed: {}", type.getSimpleName(), e.toString());
          }
        });
      });
    } catch (java.util.concurrent.RejectedExecutionException ignored) {
      // closed: the bundle is stopping
    }
  }

  @Override
  public Optional<T> current() {
    ServiceTracker<T, T> t = tracker;
    return t == null ? Optional.empty() : Optional.ofNullable(t.getService());
  }

  @Override
  public List<Registered<T>> all() {
    ServiceTracker<T, T> t = tracker;
    List<Registered<T>> out = new ArrayList<>();
    if (t == null) {
      return out;
    }
    ServiceReference<T>[] refs = t.getServiceReferences();
    if (refs == null) {
      return out;
    }
    java.util.Arrays.sort(refs, java.util.Collections.reverseOrder());
    for (ServiceReference<T> r : refs) {
      T s = t.getService(r);
      if (s != null) {
        Map<String, Object> props = new HashMap<>();
        for (String k : r.getPropertyKeys()) {
          props.put(k, r.getProperty(k));
        }
        out.add(new Registered<>(s, props));
      }
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
    Object p = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "toString" -> "ServiceRef<" + type.getSimpleName() + ">";
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        };
      }
      T target = current().orElseThrow(() -> new ServiceUnavailableException(type.getName()));
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
    return type.cast(p);
  }
}
