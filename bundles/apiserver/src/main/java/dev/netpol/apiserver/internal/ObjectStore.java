package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * All objects, keyed by resource and namespace/name, with one global resourceVersion counter and a
 * bounded event history for watches that resume from a resourceVersion. Stored objects are never
 * mutated: writers hand in fresh trees, readers must copy before changing. Listeners run under the
 * store lock and must not block.
 */
public final class ObjectStore {
  private static final int HISTORY_LIMIT = 20_000;

  private final Map<String, TreeMap<String, ObjectNode>> objects = new HashMap<>();
  private final ArrayDeque<StoreEvent> history = new ArrayDeque<>();
  private final List<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();
  private long resourceVersion;

  /** Every event with a resourceVersion above this is still in history. */
  private long historyFloor;

  public synchronized long resourceVersion() {
    return resourceVersion;
  }

  /** Loads persisted state; only before serving. */
  public synchronized void load(long rv, Map<String, List<ObjectNode>> byStorageKey) {
    resourceVersion = rv;
    historyFloor = rv;
    byStorageKey.forEach((key, list) -> list.forEach(o -> bucket(key).put(key(o), o)));
  }

  private TreeMap<String, ObjectNode> bucket(String storageKey) {
    return objects.computeIfAbsent(storageKey, k -> new TreeMap<>());
  }

  private static String key(ObjectNode o) {
    String ns = Json.namespace(o);
    return (ns == null ? "" : ns) + "/" + Json.name(o);
  }

  private static String key(String ns, String name) {
    return (ns == null ? "" : ns) + "/" + name;
  }

  public synchronized ObjectNode get(ResourceType t, String ns, String name) {
    return bucket(t.storageKey()).get(key(t.namespaced() ? ns : null, name));
  }

  /** Objects of one resource, in one namespace or (ns null) all. */
  public synchronized List<ObjectNode> list(ResourceType t, String ns) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode o : bucket(t.storageKey()).values()) {
      if (ns == null || ns.equals(Json.namespace(o))) {
        out.add(o);
      }
    }
    return out;
  }

  /** Snapshot of everything, by storage key, plus the resourceVersion it corresponds to. */
  public synchronized Snapshot snapshot() {
    Map<String, List<ObjectNode>> copy = new TreeMap<>();
    objects.forEach(
        (k, v) -> {
          if (!v.isEmpty()) {
            copy.put(k, new ArrayList<>(v.values()));
          }
        });
    return new Snapshot(resourceVersion, copy);
  }

  public record Snapshot(long resourceVersion, Map<String, List<ObjectNode>> objects) {}

  public synchronized ObjectNode create(ResourceType t, ObjectNode obj) {
    TreeMap<String, ObjectNode> b = bucket(t.storageKey());
    String k = key(obj);
    if (b.containsKey(k)) {
      throw ApiException.alreadyExists(t, Json.name(obj));
    }
    stamp(obj, ++resourceVersion);
    b.put(k, obj);
    emit(new StoreEvent(StoreEvent.ADDED, t.storageKey(), null, obj, resourceVersion));
    return obj;
  }

  /** Replaces the object; expectedRv (if not null/empty) must equal the stored one. */
  public synchronized ObjectNode update(ResourceType t, ObjectNode obj, String expectedRv) {
    TreeMap<String, ObjectNode> b = bucket(t.storageKey());
    String k = key(obj);
    ObjectNode old = b.get(k);
    if (old == null) {
      throw ApiException.notFound(t, Json.name(obj));
    }
    if (expectedRv != null
        && !expectedRv.isEmpty()
        && !expectedRv.equals(Json.text(old, "metadata", "resourceVersion"))) {
      throw ApiException.conflict(t, Json.name(obj));
    }
    ObjectNode candidate = obj.deepCopy();
    Json.meta(candidate).set("resourceVersion", old.path("metadata").get("resourceVersion"));
    if (candidate.equals(old)) {
      return old; // a no-op write does not bump the resourceVersion, as in the real server
    }
    stamp(obj, ++resourceVersion);
    b.put(k, obj);
    emit(new StoreEvent(StoreEvent.MODIFIED, t.storageKey(), old, obj, resourceVersion));
    return obj;
  }

  public synchronized ObjectNode delete(ResourceType t, String ns, String name, String expectedRv) {
    TreeMap<String, ObjectNode> b = bucket(t.storageKey());
    String k = key(t.namespaced() ? ns : null, name);
    ObjectNode old = b.get(k);
    if (old == null) {
      throw ApiException.notFound(t, name);
    }
    if (expectedRv != null
        && !expectedRv.isEmpty()
        && !expectedRv.equals(Json.text(old, "metadata", "resourceVersion"))) {
      throw ApiException.conflict(t, name);
    }
    b.remove(k);
    ObjectNode gone = old.deepCopy();
    stamp(gone, ++resourceVersion);
    emit(new StoreEvent(StoreEvent.DELETED, t.storageKey(), old, gone, resourceVersion));
    return gone;
  }

  private static void stamp(ObjectNode obj, long rv) {
    Json.meta(obj).put("resourceVersion", Long.toString(rv));
  }

  private void emit(StoreEvent e) {
    history.addLast(e);
    while (history.size() > HISTORY_LIMIT) {
      historyFloor = history.removeFirst().resourceVersion();
    }
    for (Consumer<StoreEvent> l : listeners) {
      l.accept(e);
    }
  }

  /** A listener for every future event (controllers, persistence). */
  public void addListener(Consumer<StoreEvent> l) {
    listeners.add(l);
  }

  public void removeListener(Consumer<StoreEvent> l) {
    listeners.remove(l);
  }

  /**
   * Atomically registers a listener and returns what happened to storageKey since fromRv; with
   * fromRv null, synthetic ADDED events for the current objects. Throws 410 Gone when history no
   * longer reaches back that far.
   */
  public synchronized List<StoreEvent> subscribe(
      Consumer<StoreEvent> l, String storageKey, Long fromRv) {
    List<StoreEvent> backlog = new ArrayList<>();
    if (fromRv == null) {
      for (ObjectNode o : bucket(storageKey).values()) {
        backlog.add(new StoreEvent(StoreEvent.ADDED, storageKey, null, o, resourceVersion));
      }
    } else {
      if (fromRv < historyFloor) {
        throw ApiException.gone("too old resource version: " + fromRv + " (" + historyFloor + ")");
      }
      for (StoreEvent e : history) {
        if (e.resourceVersion() > fromRv && e.storageKey().equals(storageKey)) {
          backlog.add(e);
        }
      }
    }
    listeners.add(l);
    return backlog;
  }
}
