package dev.netpol.resolver;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Collection;
import java.util.Optional;

/**
 * A read-only view of the cluster objects resolution depends on. The controller backs it with
 * informer caches; tests use {@link ClusterSnapshot}. Implementations must not block.
 */
public interface ClusterState {
  Collection<Namespace> namespaces();

  Optional<Namespace> namespace(String name);

  /** Pods of one namespace, in any phase. */
  Collection<Pod> pods(String namespace);

  /** Pods of every namespace. */
  Collection<Pod> allPods();

  Collection<Service> services(String namespace);

  /** Services of every namespace. */
  Collection<Service> allServices();
}
