package dev.netpol.watch.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer's cache without {@code metadata.managedFields}: the server-side-apply bookkeeping is
 * a nested map per object (one entry per field and list item) that no netpol bundle reads, and it
 * was about a quarter of a node agent's live heap (1,000 PolicyEndpoints of 10 rules). The object
 * is stripped as it is stored, so event handlers receive it stripped too; writes never send a
 * cached object back (they read it fresh), and a server keeps an object's managedFields when an
 * update omits them.
 */
final class LeanItemStore<T extends HasMetadata> extends BasicItemStore<T> {
  LeanItemStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public T put(String key, T obj) {
    if (obj.getMetadata() != null) {
      obj.getMetadata().setManagedFields(null);
    }
    return super.put(key, obj);
  }
}
