package dev.netpol.watch.internal;

import dev.netpol.watch.KubeCluster;
import dev.netpol.watch.Partial;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link KubeCluster} that creates each (type, selection) informer once and shares it. */
final class SharedInformers implements KubeCluster {
  private static final Logger LOG = LoggerFactory.getLogger(SharedInformers.class);
  private static final long RESYNC_MS = 0; // level-triggered consumers resync themselves
  private final KubernetesClient client;
  private final KindMapping kinds;
  private final String description;
  private final Map<String, SharedIndexInformer<?>> informers = new ConcurrentHashMap<>();
  private final Map<String, java.util.Set<Object>> handlers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  SharedInformers(KubernetesClient client, KindMapping kinds, String description) {
    this.client = client;
    this.kinds = kinds;
    this.description = description;
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends HasMetadata> SharedIndexInformer<T> informer(
      Class<T> type, Selection selection) {
    String key = type.getName() + "|" + selection;
    return (SharedIndexInformer<T>)
        informers.computeIfAbsent(
            key,
            k -> {
              // watch events of this kind are read as this type directly, not as a generic
              // resource then converted (the client's serialization knows no kind by itself)
              if (!type.isAnnotationPresent(Partial.class)) {
                kinds.register(type);
              }
              FilterWatchListDeletable<T, KubernetesResourceList<T>, Resource<T>> op =
                  (FilterWatchListDeletable<T, KubernetesResourceList<T>, Resource<T>>)
                      (Object) client.resources(type).inAnyNamespace();
              if (selection.labelSelector() != null) {
                op = op.withLabelSelector(selection.labelSelector());
              }
              for (Map.Entry<String, String> f : selection.fields().entrySet()) {
                op = op.withField(f.getKey(), f.getValue());
              }
              SharedIndexInformer<T> raw = op.runnableInformer(RESYNC_MS);
              raw.itemStore(new LeanItemStore<>());
              SharedIndexInformer<T> inf =
                  counting(raw, type.getSimpleName() + " " + describe(selection));
              inf.exceptionHandler(
                  (running, t) -> {
                    Throwable root = t;
                    while (root.getCause() != null) {
                      root = root.getCause();
                    }
                    LOG.warn(
                        "watch {} {}: {}; retrying",
                        type.getSimpleName(),
                        selection,
                        root.getMessage());
                    return true;
                  });
              if (io.fabric8.kubernetes.client.CustomResource.class.isAssignableFrom(type)) {
                startWhenServed(type, selection, inf);
              } else {
                inf.start();
                LOG.info("watching {} {} at {}", type.getSimpleName(), selection, description);
              }
              return inf;
            });
  }

  @Override
  public Map<String, Integer> handlers() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    handlers.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }

  private static String describe(Selection s) {
    StringBuilder b = new StringBuilder();
    if (s.labelSelector() != null) {
      b.append("labels ").append(s.labelSelector());
    }
    s.fields()
        .forEach((k, v) -> b.append(b.length() > 0 ? ", " : "").append(k).append('=').append(v));
    return b.length() == 0 ? "(all)" : b.toString();
  }

  /** The informer, with the handlers added and not yet removed counted under {@code key}. */
  @SuppressWarnings("unchecked")
  private <T> SharedIndexInformer<T> counting(SharedIndexInformer<T> informer, String key) {
    java.util.Set<Object> attached =
        handlers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
    return (SharedIndexInformer<T>)
        java.lang.reflect.Proxy.newProxyInstance(
            SharedIndexInformer.class.getClassLoader(),
            new Class<?>[] {SharedIndexInformer.class},
            (proxy, method, args) -> {
              String name = method.getName();
              if (name.startsWith("addEventHandler") && args != null && args.length > 0) {
                attached.add(args[0]);
              } else if (name.equals("removeEventHandler") && args != null) {
                attached.remove(args[0]);
              }
              try {
                Object r = method.invoke(informer, args);
                return r == informer ? proxy : r;
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /**
   * A custom resource's informer starts once the API serves its kind: before its CRD exists a list
   * fails, and the informer's growing backoff would delay the first sync by seconds.
   */
  private <T extends HasMetadata> void startWhenServed(
      Class<T> type, Selection selection, SharedIndexInformer<T> inf) {
    Thread t =
        new Thread(
            () -> {
              boolean logged = false;
              while (!closed) {
                try {
                  if (client.supports(type)) {
                    inf.start();
                    LOG.info("watching {} {} at {}", type.getSimpleName(), selection, description);
                    return;
                  }
                } catch (RuntimeException e) {
                  // the API is unreachable: keep trying, like the informers do
                }
                if (!logged) {
                  LOG.info(
                      "waiting for the API to serve {} (its CRD is not installed yet)",
                      type.getSimpleName());
                  logged = true;
                }
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "netpol-watch-" + type.getSimpleName());
    t.setDaemon(true);
    t.start();
  }

  void close() {
    closed = true;
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
    client.close();
  }
}
