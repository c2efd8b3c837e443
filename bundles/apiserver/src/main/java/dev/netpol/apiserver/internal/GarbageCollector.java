package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ownerReference garbage collection: an object all of whose owners (by uid) are gone is deleted, in
 * the background like the real collector's Background propagation. Also removes objects left in a
 * deleted namespace by a create that raced with the namespace's deletion.
 */
final class GarbageCollector {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  private final ResourceService service;

  GarbageCollector(ResourceService service) {
    this.service = service;
  }

  void onEvent(StoreEvent e) {
    boolean deleted = e.type().equals(StoreEvent.DELETED);
    if (deleted || e.object().path("metadata").path("ownerReferences").size() > 0) {
      sweep();
    }
  }

  /** Deletes every orphan; repeats until none is left, as each deletion may orphan more. */
  void sweep() {
    boolean again = true;
    while (again) {
      again = false;
      Set<String> uids = new HashSet<>();
      Set<String> namespaces = new HashSet<>();
      var all = service.store().snapshot().objects();
      all.values().forEach(list -> list.forEach(o -> uids.add(Json.text(o, "metadata", "uid"))));
      all.getOrDefault(ResourceRegistry.NAMESPACES.storageKey(), java.util.List.of())
          .forEach(n -> namespaces.add(Json.name(n)));
      for (var entry : all.entrySet()) {
        for (ObjectNode o : entry.getValue()) {
          ResourceType type = service.registry().byStorageKey(entry.getKey());
          if (type != null && type.namespaced() && !namespaces.contains(Json.namespace(o))) {
            // created while its namespace was being deleted
            LOG.info(
                "deleting {} {}: its namespace is gone",
                type.qualifiedResource(),
                ResourceService.key(o));
            service.deleteQuietly(type, Json.namespace(o), Json.name(o));
            again = true;
            continue;
          }
          JsonNode owners = o.path("metadata").path("ownerReferences");
          if (owners.size() == 0) {
            continue;
          }
          boolean anyAlive = false;
          boolean anyUid = false;
          for (JsonNode ref : owners) {
            String uid = Json.text(ref, "uid");
            if (uid == null || uid.isEmpty()) {
              anyAlive = true; // without a uid we cannot tell; keep it
            } else {
              anyUid = true;
              anyAlive |= uids.contains(uid);
            }
          }
          if (anyUid && !anyAlive) {
            ResourceType t = service.registry().byStorageKey(entry.getKey());
            if (t != null) {
              LOG.info(
                  "garbage-collecting {} {}: its owners are gone",
                  t.qualifiedResource(),
                  ResourceService.key(o));
              service.deleteQuietly(t, Json.namespace(o), Json.name(o));
              again = true;
            }
          }
        }
      }
    }
  }
}
