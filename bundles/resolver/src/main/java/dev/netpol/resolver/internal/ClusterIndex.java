package dev.netpol.resolver.internal;

import dev.netpol.resolver.ClusterState;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster as resolution reads it, indexed: pods by namespace and by each {@code key=value}
 * label, Services by namespace, namespace labels. Updated one object at a time from informer events
 * (so a change costs the size of the object, not of the cluster) and read concurrently by
 * reconciles: readers may briefly see an object half-indexed, which is harmless because every
 * change marks the policies it can affect after it is indexed, and those are resolved again.
 * Postings are re-checked against the pod they name, so a stale posting never selects a pod.
 */
public final class ClusterIndex {
  /** Pods of one namespace by name, and the names of the pods carrying each label. */
  private static final class NamespacePods {
    final Map<String, PodInfo> byName = new ConcurrentHashMap<>();
    final Map<String, Set<String>> byLabel = new ConcurrentHashMap<>();
  }

  private final Map<String, Map<String, String>> namespaces = new ConcurrentHashMap<>();
  private final Map<String, NamespacePods> pods = new ConcurrentHashMap<>();
  private final Map<String, Map<String, ServiceInfo>> services = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong serviceVersion =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile CachedIps proxiedClusterIps;

  private record CachedIps(long version, List<InetAddress> ips) {}

  /** An index of everything in {@code state}. */
  public static ClusterIndex of(ClusterState state) {
    ClusterIndex index = new ClusterIndex();
    state.namespaces().forEach(index::putNamespace);
    state.allPods().forEach(index::putPod);
    state.allServices().forEach(index::putService);
    return index;
  }

  // ---- updates ----

  /** Indexes the namespace's labels; returns the labels indexed before (null if none). */
  public Map<String, String> putNamespace(Namespace ns) {
    return namespaces.put(ns.getMetadata().getName(), ResolutionEngine.namespaceLabels(ns));
  }

  public Map<String, String> removeNamespace(String name) {
    return namespaces.remove(name);
  }

  /** Indexes the pod; returns what was indexed for it before (null if nothing). */
  public PodInfo putPod(Pod pod) {
    return putPod(PodInfo.of(pod));
  }

  public PodInfo putPod(PodInfo info) {
    NamespacePods np = pods.computeIfAbsent(info.namespace(), k -> new NamespacePods());
    PodInfo old = np.byName.put(info.name(), info);
    if (old != null) {
      for (var l : old.labels().entrySet()) {
        if (!l.getValue().equals(info.labels().get(l.getKey()))) {
          Set<String> names = np.byLabel.get(posting(l.getKey(), l.getValue()));
          if (names != null) {
            names.remove(info.name());
          }
        }
      }
    }
    for (var l : info.labels().entrySet()) {
      np.byLabel
          .computeIfAbsent(posting(l.getKey(), l.getValue()), k -> ConcurrentHashMap.newKeySet())
          .add(info.name());
    }
    return old;
  }

  public PodInfo removePod(String namespace, String name) {
    NamespacePods np = pods.get(namespace);
    if (np == null) {
      return null;
    }
    PodInfo old = np.byName.remove(name);
    if (old != null) {
      for (var l : old.labels().entrySet()) {
        Set<String> names = np.byLabel.get(posting(l.getKey(), l.getValue()));
        if (names != null) {
          names.remove(name);
        }
      }
    }
    return old;
  }

  public ServiceInfo putService(Service svc) {
    ServiceInfo info = ServiceInfo.of(svc);
    ServiceInfo old =
        services
            .computeIfAbsent(info.namespace(), k -> new ConcurrentHashMap<>())
            .put(info.name(), info);
    serviceVersion.incrementAndGet();
    return old;
  }

  public ServiceInfo removeService(String namespace, String name) {
    Map<String, ServiceInfo> m = services.get(namespace);
    ServiceInfo old = m == null ? null : m.remove(name);
    serviceVersion.incrementAndGet();
    return old;
  }

  // ---- reads ----

  /** Namespace names with their labels ({@code kubernetes.io/metadata.name} included). */
  public Map<String, Map<String, String>> namespaces() {
    return namespaces;
  }

  public Map<String, String> namespaceLabels(String name) {
    Map<String, String> l = namespaces.get(name);
    return l == null ? Map.of(ResolutionEngine.NAME_LABEL, name) : l;
  }

  public PodInfo pod(String namespace, String name) {
    NamespacePods np = pods.get(namespace);
    return np == null ? null : np.byName.get(name);
  }

  public Collection<PodInfo> pods(String namespace) {
    NamespacePods np = pods.get(namespace);
    return np == null ? List.of() : np.byName.values();
  }

  public Iterable<PodInfo> allPods() {
    List<PodInfo> out = new ArrayList<>();
    pods.values().forEach(np -> out.addAll(np.byName.values()));
    return out;
  }

  /**
   * Pods of {@code namespace} whose labels {@code selector} matches: candidates from the smallest
   * posting among the selector's {@code matchLabels}, or every pod of the namespace.
   */
  public List<PodInfo> podsMatching(String namespace, Selector selector) {
    NamespacePods np = pods.get(namespace);
    if (np == null) {
      return List.of();
    }
    return matching(np, selector.matchLabels(), selector::matches);
  }

  /** Pods of {@code namespace} carrying every label of {@code labels} (a Service selector). */
  public List<PodInfo> podsWithLabels(String namespace, Map<String, String> labels) {
    NamespacePods np = pods.get(namespace);
    if (np == null || labels.isEmpty()) {
      return List.of();
    }
    return matching(
        np,
        labels,
        l -> {
          for (var e : labels.entrySet()) {
            if (!e.getValue().equals(l.get(e.getKey()))) {
              return false;
            }
          }
          return true;
        });
  }

  private static List<PodInfo> matching(
      NamespacePods np,
      Map<String, String> required,
      java.util.function.Predicate<Map<String, String>> matches) {
    Set<String> smallest = null;
    for (var e : required.entrySet()) {
      Set<String> names = np.byLabel.get(posting(e.getKey(), e.getValue()));
      if (names == null) {
        return List.of();
      }
      if (smallest == null || names.size() < smallest.size()) {
        smallest = names;
      }
    }
    List<PodInfo> out = new ArrayList<>();
    if (smallest == null) {
      for (PodInfo p : np.byName.values()) {
        if (matches.test(p.labels())) {
          out.add(p);
        }
      }
      return out;
    }
    for (String name : smallest) {
      PodInfo p = np.byName.get(name);
      if (p != null && matches.test(p.labels())) {
        out.add(p);
      }
    }
    return out;
  }

  public Collection<ServiceInfo> services(String namespace) {
    Map<String, ServiceInfo> m = services.get(namespace);
    return m == null ? List.of() : m.values();
  }

  public List<ServiceInfo> allServices() {
    List<ServiceInfo> out = new ArrayList<>();
    services.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  /** Services of the pod's namespace whose selector picks {@code labels}. */
  public List<ServiceInfo> servicesSelecting(String namespace, Map<String, String> labels) {
    List<ServiceInfo> out = new ArrayList<>();
    for (ServiceInfo s : services(namespace)) {
      if (s.proxiesToPods() && s.selects(labels)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Live pods the Service forwards to. */
  public List<PodInfo> backends(ServiceInfo svc) {
    List<PodInfo> out = new ArrayList<>();
    for (PodInfo p : podsWithLabels(svc.namespace(), svc.selector())) {
      if (p.live()) {
        out.add(p);
      }
    }
    return out;
  }

  /** ClusterIPs of every Service with a selector (cached until a Service changes). */
  public List<InetAddress> proxiedClusterIps() {
    long version = serviceVersion.get();
    CachedIps cached = proxiedClusterIps;
    if (cached != null && cached.version() == version) {
      return cached.ips();
    }
    java.util.LinkedHashSet<InetAddress> s = new java.util.LinkedHashSet<>();
    for (ServiceInfo svc : allServices()) {
      if (!svc.selector().isEmpty()) {
        s.addAll(svc.clusterIps());
      }
    }
    List<InetAddress> ips = List.copyOf(s);
    proxiedClusterIps = new CachedIps(version, ips);
    return ips;
  }

  private static String posting(String key, String value) {
    return key + "=" + value;
  }
}
