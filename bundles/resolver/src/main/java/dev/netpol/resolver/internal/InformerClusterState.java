package dev.netpol.resolver.internal;

import dev.netpol.resolver.ClusterState;
import dev.netpol.resolver.InformerSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** {@link ClusterState} read from informer caches, using their namespace index when present. */
public final class InformerClusterState implements ClusterState {
  private final InformerSource informers;

  public InformerClusterState(InformerSource informers) {
    this.informers = informers;
  }

  @Override
  public Collection<Namespace> namespaces() {
    return informers.namespaces().getStore().list();
  }

  @Override
  public Optional<Namespace> namespace(String name) {
    return Optional.ofNullable(informers.namespaces().getStore().getByKey(name));
  }

  @Override
  public Collection<Pod> pods(String namespace) {
    return inNamespace(informers.pods(), namespace);
  }

  @Override
  public Collection<Pod> allPods() {
    return informers.pods().getStore().list();
  }

  @Override
  public Collection<Service> services(String namespace) {
    return inNamespace(informers.services(), namespace);
  }

  @Override
  public Collection<Service> allServices() {
    return informers.services().getStore().list();
  }

  public static <T extends HasMetadata> List<T> inNamespace(
      SharedIndexInformer<T> informer, String ns) {
    if (informer.getIndexer().getIndexers().containsKey(Cache.NAMESPACE_INDEX)) {
      return informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns);
    }
    return informer.getStore().list().stream()
        .filter(o -> ns.equals(o.getMetadata().getNamespace()))
        .toList();
  }
}
