package dev.netpol.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * A connected Kubernetes API with shared informers. Registered as an OSGi service while a
 * connection exists; consumers follow it with a dynamic reference.
 */
@org.osgi.annotation.versioning.ProviderType
public interface KubeCluster {
  KubernetesClient client();

  /**
   * The shared, started informer for {@code type} and {@code selection}; the same instance for
   * every caller asking for the same pair. Wait for {@code hasSynced()} before trusting its cache.
   */
  <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> type, Selection selection);

  /** Where this cluster was reached, for logs and status. */
  String describe();

  /**
   * Event handlers attached to each shared informer now ({@code Type selection} to count): a
   * consumer that restarts must not leave its old handlers behind.
   */
  default java.util.Map<String, Integer> handlers() {
    return java.util.Map.of();
  }
}
