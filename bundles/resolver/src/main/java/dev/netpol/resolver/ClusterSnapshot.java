package dev.netpol.resolver;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** An immutable in-memory {@link ClusterState}, indexed by namespace. */
public final class ClusterSnapshot implements ClusterState {
  private final Map<String, Namespace> namespaces;
  private final Map<String, List<Pod>> pods;
  private final Map<String, List<Service>> services;
  private final List<Pod> allPods;
  private final List<Service> allServices;

  private ClusterSnapshot(
      Collection<Namespace> namespaces, Collection<Pod> pods, Collection<Service> services) {
    this.namespaces =
        namespaces.stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    n -> n.getMetadata().getName(), Function.identity(), (a, b) -> b));
    this.pods = pods.stream().collect(Collectors.groupingBy(ClusterSnapshot::ns));
    this.services = services.stream().collect(Collectors.groupingBy(ClusterSnapshot::ns));
    this.allPods = List.copyOf(pods);
    this.allServices = List.copyOf(services);
  }

  public static ClusterSnapshot of(
      Collection<Namespace> namespaces, Collection<Pod> pods, Collection<Service> services) {
    return new ClusterSnapshot(namespaces, pods, services);
  }

  private static String ns(HasMetadata o) {
    return o.getMetadata().getNamespace();
  }

  @Override
  public Collection<Namespace> namespaces() {
    return namespaces.values();
  }

  @Override
  public Optional<Namespace> namespace(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  @Override
  public Collection<Pod> pods(String namespace) {
    return pods.getOrDefault(namespace, List.of());
  }

  @Override
  public Collection<Pod> allPods() {
    return allPods;
  }

  @Override
  public Collection<Service> services(String namespace) {
    return services.getOrDefault(namespace, List.of());
  }

  @Override
  public Collection<Service> allServices() {
    return allServices;
  }
}
