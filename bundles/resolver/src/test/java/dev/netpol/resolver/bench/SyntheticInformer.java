package dev.netpol.resolver.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A synthetic feed standing in for an informer: an in-memory store, synced from the start, whose
 * changes are delivered to the handlers on the caller's thread. Implements what the controller uses
 * of {@link SharedIndexInformer} (store, handlers, sync state); anything else throws.
 */
public final class SyntheticInformer<T extends HasMetadata> {
  private final Map<String, T> items = new ConcurrentHashMap<>();
  private final List<ResourceEventHandler<? super T>> handlers = new CopyOnWriteArrayList<>();

  public SyntheticInformer(Collection<T> initial) {
    initial.forEach(o -> items.put(key(o), o));
  }

  /** Replaces (or adds) an object and tells the handlers, as an informer's watch event would. */
  public void update(T now) {
    T old = items.put(key(now), now);
    for (ResourceEventHandler<? super T> h : handlers) {
      if (old == null) {
        h.onAdd(now);
      } else {
        h.onUpdate(old, now);
      }
    }
  }

  public T get(String key) {
    return items.get(key);
  }

  public int handlers() {
    return handlers.size();
  }

  static String key(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return ns == null || ns.isEmpty()
        ? o.getMetadata().getName()
        : ns + "/" + o.getMetadata().getName();
  }

  @SuppressWarnings("unchecked")
  public SharedIndexInformer<T> informer() {
    Store<T> store =
        (Store<T>)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Store.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "list" -> new ArrayList<>(items.values());
                      case "listKeys" -> new ArrayList<>(items.keySet());
                      case "getByKey" -> items.get((String) args[0]);
                      case "get" -> items.get(key((HasMetadata) args[0]));
                      case "getKey" -> key((HasMetadata) args[0]);
                      default -> throw new UnsupportedOperationException(method.getName());
                    });
    return (SharedIndexInformer<T>)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {SharedIndexInformer.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getStore" -> store;
                  case "hasSynced", "isRunning", "isWatching" -> true;
                  case "addEventHandler" -> {
                    ResourceEventHandler<? super T> h = (ResourceEventHandler<? super T>) args[0];
                    handlers.add(h);
                    items.values().forEach(h::onAdd); // as an informer replays its cache
                    yield proxy;
                  }
                  case "removeEventHandler" -> {
                    handlers.remove(args[0]);
                    yield proxy;
                  }
                  case "toString" -> "SyntheticInformer[" + items.size() + "]";
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
